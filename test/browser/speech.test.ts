// The Speech and Voices pages in Chromium: synthesize, play, stream, save a voice, preview it, delete it.
import type { Locator } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startConsole, type ConsoleHarness } from '../helpers/browser.js'

let h: ConsoleHarness

beforeAll(async () => {
  h = await startConsole()
}, 60_000)
afterAll(() => h?.close())

const duration = (audio: Locator) => audio.evaluate((a: HTMLAudioElement) => a.duration)

/** Plays the element from the start; resolves with how far it got (or its full length, had it ended). */
async function playedSeconds(audio: Locator): Promise<number> {
  await audio.evaluate((a: HTMLAudioElement) => {
    a.currentTime = 0
    return a.play()
  })
  let reached = 0
  await expect
    .poll(
      async () => (reached = await audio.evaluate((a: HTMLAudioElement) => (a.ended ? a.duration : a.currentTime))),
      {
        timeout: 10_000,
      },
    )
    .toBeGreaterThan(0)
  return reached
}

/** Counts the canvas pixels that were drawn on: a blank canvas has none. */
const inkedPixels = (canvas: Locator) =>
  canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray()
    let n = 0
    for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++
    return n
  })

it('synthesizes text into a playable generation with its duration and waveform, and saves its voice', async () => {
  const { page } = h
  await h.signIn()
  await h.goTo('Speech')
  await expect.poll(() => page.getByRole('option', { name: 'Kora' }).count()).toBe(1)
  await page.getByLabel('Text', { exact: true }).fill('The quick brown fox jumps over the lazy dog.')
  await page.getByLabel('Description').fill('a calm narrator')
  await page.getByLabel('Voice').selectOption({ label: 'Kora' })
  await page.getByRole('button', { name: 'Synthesize' }).click()

  const generation = page.getByRole('region', { name: 'Generation 1' })
  const audio = generation.getByLabel('Generation 1 audio')
  await expect.poll(() => duration(audio), { timeout: 30_000 }).toBeGreaterThan(0.5)
  expect(Number.isFinite(await duration(audio))).toBe(true)
  expect(await generation.getByText(/^Duration: \d+\.\d\d s$/).count()).toBe(1)
  expect(await playedSeconds(audio)).toBeGreaterThan(0)
  const waveform = generation.getByRole('img', { name: 'Waveform of generation 1' })
  await expect.poll(() => inkedPixels(waveform)).toBeGreaterThan(200)

  await generation.getByRole('button', { name: 'Save voice' }).click()
  await generation.getByLabel('Voice name').fill('calm narrator')
  await generation.getByRole('button', { name: 'Save', exact: true }).click()
  await expect.poll(() => generation.getByRole('status').textContent()).toBe('Saved as voice “calm narrator”.')
  // The picker lists the new voice among the saved ones.
  await expect
    .poll(() => page.locator('optgroup[label="Saved voices"] option').allTextContents())
    .toEqual(['calm narrator'])
  await h.screenshot('speech')
  expect(h.pageErrors).toEqual([])
}, 90_000)

it('streams MP3 into the live player as it arrives, then keeps each generation', async () => {
  const { page } = h
  await page.getByLabel('Text', { exact: true }).fill('Streaming speech arrives in pieces. Each piece plays at once.')
  await page.getByLabel('Voice').selectOption({ label: 'calm narrator' })
  await page.getByLabel('Stream (play as audio arrives)').check()
  await page.getByRole('button', { name: 'Synthesize' }).click()
  const live = page.getByLabel('Live playback', { exact: true }).and(page.locator('audio'))
  await expect.poll(() => live.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 30_000 }).toBeGreaterThan(0)
  await expect
    .poll(() => page.getByRole('status').first().textContent(), { timeout: 30_000 })
    .toBe('1 generation ready.')
  const audio = page.getByLabel('Generation 1 audio')
  await expect.poll(() => duration(audio)).toBeGreaterThan(0.5)
  expect(Number.isFinite(await duration(audio))).toBe(true)
  expect(h.pageErrors).toEqual([])
}, 60_000)

it('streams WAV through Web Audio, two generations, each with a finite duration', async () => {
  const { page } = h
  await page.getByLabel('Format').selectOption('wav')
  await page.getByLabel('Number of generations').fill('2')
  await page.getByLabel('Text', { exact: true }).fill('Two takes of one line.')
  await page.getByRole('button', { name: 'Synthesize' }).click()
  await expect
    .poll(() => page.getByRole('status').first().textContent(), { timeout: 30_000 })
    .toBe('2 generations ready.')
  for (const name of ['Generation 1', 'Generation 2']) {
    const audio = page.getByLabel(`${name} audio`)
    await expect.poll(() => duration(audio)).toBeGreaterThan(0.3)
    expect(Number.isFinite(await duration(audio))).toBe(true)
  }
  expect(await page.getByLabel('Live playback', { exact: true }).count()).toBe(0)
  await page.getByLabel('Stream (play as audio arrives)').uncheck()
  await page.getByLabel('Number of generations').fill('1')
  expect(h.pageErrors).toEqual([])
}, 60_000)

it("quotes the API's message when the request is refused", async () => {
  const { page } = h
  await page.getByLabel('Text', { exact: true }).fill('Too fast.')
  await page.getByLabel('Speed').fill('3')
  await page.getByRole('button', { name: 'Synthesize' }).click()
  await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^body\.utterances\.0\.speed: .+\(422\)$/)
  await page.getByLabel('Speed').fill('1')
  await page.getByLabel('Text', { exact: true }).fill('   ')
  await page.getByRole('button', { name: 'Synthesize' }).click()
  await expect
    .poll(() => page.getByRole('alert').textContent())
    .toBe('body.utterances.0.text: Text must not be empty (422)')
  expect(await page.getByRole('region', { name: 'Generation 1' }).count()).toBe(0)
  expect(h.pageErrors).toEqual([])
}, 60_000)

it('lists the saved voice, previews it, and deletes it after confirmation', async () => {
  const { page } = h
  await h.goTo('Voices')
  const table = page.getByRole('table', { name: 'Saved voices' })
  await expect.poll(() => table.getByRole('cell', { name: 'calm narrator', exact: true }).count()).toBe(1)

  await page.getByLabel('Preview text').fill('A short line to hear.')
  await page.getByRole('button', { name: 'Preview calm narrator' }).click()
  const preview = page.getByLabel('Preview of calm narrator').and(page.locator('audio'))
  await expect.poll(() => duration(preview), { timeout: 30_000 }).toBeGreaterThan(0.3)
  expect(await playedSeconds(preview)).toBeGreaterThan(0)
  await h.screenshot('voices')

  await page.getByRole('radio', { name: 'Presets' }).check()
  const presets = page.getByRole('table', { name: 'Presets' })
  await expect.poll(() => presets.getByRole('cell', { name: 'Kora', exact: true }).count()).toBe(1)
  expect(await presets.getByRole('button', { name: /^Delete / }).count()).toBe(0)
  await page.getByRole('radio', { name: 'Saved voices' }).check()

  await page.getByRole('button', { name: 'Delete calm narrator' }).click()
  const dialog = page.getByRole('dialog', { name: 'Delete voice “calm narrator”?' })
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  expect(await dialog.count()).toBe(0)
  expect(await table.getByRole('cell', { name: 'calm narrator', exact: true }).count()).toBe(1)

  await page.getByRole('button', { name: 'Delete calm narrator' }).click()
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click()
  await expect.poll(() => page.getByRole('status').textContent()).toBe('Deleted “calm narrator”.')
  await expect.poll(() => page.getByText('No saved voices yet', { exact: false }).isVisible()).toBe(true)
  const left = await h.t.app.inject({ url: '/v0/tts/voices?provider=CUSTOM_VOICE', headers: h.t.auth() })
  expect(left.json().voices_page).toEqual([])
  expect(h.pageErrors).toEqual([])
}, 60_000)
