/**
 * The Chat page in Chromium: Chromium's fake microphone plays a RAVDESS clip (with silence after it, so
 * the server's turn detection ends the turn) into a chat with a config that has a tool, against a
 * scripted model on 127.0.0.1. The spoken turn is transcribed with its top emotions and answered aloud;
 * a typed message gets a tool call that is answered by hand; speaking over a long answer interrupts it.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ProsodiaClient } from '../../src/client/index.js'
import { loadConfig } from '../../src/config.js'
import { startConsole, type ConsoleHarness } from '../helpers/browser.js'
import { ravdessPcm } from '../helpers/evi-chat.js'
import { startFakeLlm, type FakeLlm, type FakeReply } from '../helpers/fake-llm.js'
import { tempDir } from '../helpers/temp.js'

/** What the model says to every spoken turn (requests nobody scripted get it). */
const SPOKEN_REPLY: FakeReply = { text: ['I heard you', '. Tell me more.'] }
/** An answer that never finishes by itself: only an interruption ends it. */
const ENDLESS_STORY: FakeReply = {
  text: Array.from({ length: 40 }, (_, i) => `${i ? ' ' : ''}Story part ${i + 1}.`),
  chunkDelayMs: 200,
  hang: true,
}
const WEATHER = JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] })
/**
 * Silence after the clip. Chromium loops the file; on a busy machine the first transcript can take half a
 * minute, and the test mutes only then, so the clip must not come round again before.
 */
const TRAILING_SILENCE_S = 45

/** The RAVDESS clip (48 kHz mono s16) with silence appended, as a WAV for --use-file-for-fake-audio-capture. */
function microphoneWav(): string {
  const { pcm, sampleRate } = ravdessPcm('03-01-01-01-01-01-03.wav')
  const data = Buffer.concat([pcm, Buffer.alloc(sampleRate * 2 * TRAILING_SILENCE_S)])
  const header = Buffer.alloc(44)
  header.write('RIFF', 0, 'ascii')
  header.writeUInt32LE(36 + data.length, 4)
  header.write('WAVEfmt ', 8, 'ascii')
  header.writeUInt32LE(16, 16)
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(sampleRate, 24)
  header.writeUInt32LE(sampleRate * 2, 28)
  header.writeUInt16LE(2, 32)
  header.writeUInt16LE(16, 34)
  header.write('data', 36, 'ascii')
  header.writeUInt32LE(data.length, 40)
  const file = path.join(tempDir('prosodia-chat-mic-'), 'speech.wav')
  writeFileSync(file, Buffer.concat([header, data]))
  return file
}

let h: ConsoleHarness
let llm: FakeLlm
let client: ProsodiaClient

beforeAll(async () => {
  llm = await startFakeLlm({ defaultReply: SPOKEN_REPLY })
  h = await startConsole({
    fakeAudio: microphoneWav(),
    config: {
      fetchAllowList: ['127.0.0.1'],
      // Scores on the socket, so that user messages carry the emotions the page shows.
      evi: { ...loadConfig({}).evi, llmUrl: llm.baseURL, llmModel: 'scripted', prosodyScores: 'zero_filled' },
    },
  })
  client = new ProsodiaClient({ apiKey: h.t.alice.api_key, baseUrl: h.baseUrl })
  const tool = await client.empathicVoice.tools.createTool({ name: 'get_weather', parameters: WEATHER })
  await client.empathicVoice.configs.createConfig({
    name: 'Weather desk',
    eviVersion: '3',
    prompt: { text: 'You are a weather assistant.' },
    tools: [{ id: tool.id, version: 0 }],
  })
})
afterAll(async () => {
  await h?.close()
  await llm?.close()
})

const played = async () => Number(await h.page.getByLabel('Audio chunks played').textContent())

it('talks to a config with the microphone and answers a tool call by hand', async () => {
  const { page } = h
  await h.signIn()
  await h.goTo('Chat')
  const picker = page.getByLabel('Config')
  await expect.poll(() => picker.locator('option').allTextContents()).toContain('Weather desk (v0)')
  await picker.selectOption({ label: 'Weather desk (v0)' })
  expect(await page.getByLabel('Use microphone').isChecked()).toBe(true)
  await page.getByRole('button', { name: 'Start chat' }).click()
  const status = page.getByRole('status').filter({ hasText: /Live|Chat ended|Connecting/ })
  await expect.poll(() => status.textContent()).toContain('Live · listening')

  // The spoken turn: a final transcript (not the interim one) with its top three emotions. A busy
  // machine transcribes slowly, hence the long wait.
  const transcript = page.getByRole('list', { name: 'Transcript' })
  const spoken = transcript
    .getByRole('listitem')
    .filter({ hasText: /^You/ })
    .filter({ hasNotText: 'still listening' })
    .first()
  await expect.poll(() => spoken.isVisible(), { timeout: 90_000 }).toBe(true)
  // Muted, the recorder sends silence: the clip, when Chromium loops it, starts no other turn.
  const mute = page.getByRole('button', { name: 'Mute microphone' })
  await mute.click()
  expect(await mute.getAttribute('aria-pressed')).toBe('true')
  await expect.poll(() => status.textContent()).toContain('microphone muted')
  expect((await spoken.locator('p').textContent())!.trim().length).toBeGreaterThan(0)
  const emotions = spoken.getByRole('list', { name: 'Top emotions' }).getByRole('listitem')
  expect(await emotions.count()).toBe(3)

  // The assistant's answer, shown and heard: its WAV chunks were decoded and scheduled.
  const answer = transcript.getByRole('listitem').filter({ hasText: 'I heard you. Tell me more.' })
  await expect.poll(() => answer.isVisible(), { timeout: 30_000 }).toBe(true)
  await expect.poll(played, { timeout: 30_000 }).toBeGreaterThan(0)
  expect(llm.requests).toHaveLength(1)

  // A typed message; the model calls the config's tool twice; the page answers by hand, an error then a result.
  llm.script(
    { toolCall: { id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' } },
    { toolCall: { id: 'call_w2', name: 'get_weather', arguments: '{"city":"Paris"}' } },
    { text: ['It is sunny in Paris.'] },
  )
  await page.getByLabel('Message').fill('What is the weather in Paris?')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  expect(await page.getByLabel('Message').inputValue()).toBe('')
  const calls = page.getByRole('group', { name: 'Tool call: get_weather' })
  await expect.poll(() => calls.first().isVisible(), { timeout: 30_000 }).toBe(true)
  const first = calls.first()
  expect(await first.textContent()).toContain('call_w1')
  expect(JSON.parse((await first.getByLabel('Parameters of get_weather').textContent())!)).toEqual({ city: 'Paris' })
  await first.getByLabel('Tool result').fill('The weather service is down.')
  await first.getByRole('button', { name: 'Send error' }).click()
  await expect.poll(() => first.textContent()).toContain('Answered with an error: The weather service is down.')

  await expect.poll(() => calls.count(), { timeout: 30_000 }).toBe(2)
  const second = calls.nth(1)
  expect(await second.textContent()).toContain('call_w2')
  await second.getByLabel('Tool result').fill('{"sky":"sunny","celsius":24}')
  await second.getByRole('button', { name: 'Send response' }).click()
  await expect.poll(() => second.textContent()).toContain('Answered: {"sky":"sunny","celsius":24}')
  const sunny = transcript.getByRole('listitem').filter({ hasText: 'It is sunny in Paris.' })
  await expect.poll(() => sunny.isVisible(), { timeout: 30_000 }).toBe(true)
  const sent = JSON.stringify(llm.requests.at(-1)!.body.messages)
  expect(sent).toContain('The weather service is down.')
  expect(sent).toContain('celsius')
  expect(
    await transcript
      .getByRole('listitem')
      .filter({ hasText: /^You \(typed\)/ })
      .textContent(),
  ).toContain('What is the weather in Paris?')

  await page.getByRole('button', { name: 'End chat' }).click()
  await expect.poll(() => status.textContent()).toContain('Chat ended')
  expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true)
  // The server saw the user end it.
  const latest = async () =>
    (await client.empathicVoice.chats.listChats({ pageSize: 1, ascendingOrder: false })).data[0]?.status
  await expect.poll(latest, { timeout: 15_000 }).toBe('USER_ENDED')
  await h.screenshot('chat')
  expect(h.pageErrors).toEqual([])
}, 240_000)

it('stops the assistant when the user speaks over it', async () => {
  const { page } = h
  // A new chat opens the microphone again: Chromium plays the clip from its start, speech 1 s in.
  llm.script(ENDLESS_STORY)
  await page.getByRole('button', { name: 'Start chat' }).click()
  const status = page.getByRole('status').filter({ hasText: /Live|Chat ended|Connecting/ })
  await expect.poll(() => status.textContent()).toContain('Live · listening')
  expect(await page.getByRole('list', { name: 'Transcript' }).count()).toBe(0)
  await page.getByLabel('Message').fill('Tell me a long story.')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const transcript = page.getByRole('list', { name: 'Transcript' })
  await expect
    .poll(() => transcript.getByText('You interrupted: the assistant stopped speaking.').isVisible(), {
      timeout: 60_000,
    })
    .toBe(true)
  // The page flushed the queued audio in the same moment (a reply to the user's words comes later).
  expect(await status.textContent()).not.toContain('assistant speaking')
  const story = transcript.getByRole('listitem').filter({ hasText: 'Story part 1.' })
  expect(await story.textContent()).toContain('(interrupted)')
  await page.getByRole('button', { name: 'End chat' }).click()
  await expect.poll(() => status.textContent()).toContain('Chat ended')
  await h.screenshot('chat-interrupted')
  expect(h.pageErrors).toEqual([])
}, 120_000)
