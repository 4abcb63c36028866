/**
 * The Jobs and Chats pages in Chromium: a text job submitted with the language model, watched until
 * COMPLETED, its results drawn as a chart and downloaded as CSV, JSON and artifacts; and a chat recorded
 * through the server's own recorder, opened with its events, emotions and reconstructed audio.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startConsole, type ConsoleHarness } from '../helpers/browser.js'
import { tone } from '../helpers/chat-audio.js'

let h: ConsoleHarness

beforeAll(async () => {
  h = await startConsole({ workers: true, runtime: { worker: { pollMs: 50 } } })
})
afterAll(() => h?.close())

/** Signs in unless an earlier test already did (the page, and the key it keeps, are shared). */
async function signedIn() {
  if (!(await h.page.getByRole('navigation', { name: 'Pages' }).isVisible())) await h.signIn()
}

it('submits a text job, watches it reach COMPLETED, charts it and downloads CSV, JSON and artifacts', async () => {
  const { page } = h
  await signedIn()
  await h.goTo('Jobs')
  const form = page.getByRole('form', { name: 'New job' })
  await form.getByRole('button', { name: 'Submit job' }).click()
  await expect.poll(() => form.getByRole('alert').textContent()).toContain('Give at least one text, file or URL.')

  await form.getByLabel('Texts (one per line)').fill('I am thrilled with the result.\nThis is terrible news, I am sad.')
  expect(await form.getByLabel('Language', { exact: true }).isChecked()).toBe(true)
  await form.getByLabel('Language', { exact: true }).uncheck()
  await form.getByRole('button', { name: 'Submit job' }).click()
  await expect.poll(() => form.getByRole('alert').textContent()).toContain('Choose at least one model.')
  await form.getByLabel('Language', { exact: true }).check()
  await form.getByRole('button', { name: 'Submit job' }).click()

  const details = page.getByRole('region', { name: 'Job details' })
  await expect.poll(() => details.getByText('COMPLETED', { exact: true }).isVisible(), { timeout: 60_000 }).toBe(true)
  const jobId = (await details.locator('dd code').first().textContent())!
  const [job] = await h.t.rt.expression.batch.list(h.t.alice.account_id, {})
  expect(job).toMatchObject({ job_id: jobId, state: { status: 'COMPLETED' } })
  // The list shows it too, with its status, once the poll has caught up.
  const list = page.getByRole('region', { name: 'Job list' })
  await expect
    .poll(() =>
      list
        .getByRole('row')
        .filter({ hasText: jobId.slice(0, 8) })
        .textContent(),
    )
    .toContain('COMPLETED')

  const figure = details.getByRole('figure').first()
  await expect.poll(() => figure.locator('canvas').count()).toBeGreaterThan(0)
  const summary = await figure.getByRole('img').getAttribute('aria-label')
  expect(summary).toMatch(/^Language scores of (\w+, ){4}\w+ over \d+ words of \S+; highest: \w+ \d\.\d\d at "/)
  expect(await figure.locator('figcaption').textContent()).toContain('top emotions per word')
  const table = details.getByRole('table', { name: /Language predictions/ })
  await expect.poll(() => table.getByRole('row').filter({ hasText: 'thrilled' }).count()).toBe(1)

  const download = async (button: string) => {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      details.getByRole('button', { name: button }).click(),
    ])
    return { name: file.suggestedFilename(), body: readFileSync(await file.path()) }
  }
  const csv = await download('Download CSV')
  expect(csv.name).toBe(`job-${jobId}.csv`)
  const [header, ...rows] = csv.body.toString('utf8').trimEnd().split('\r\n')
  expect(header).toMatch(/^source,file,model,group,text,position_begin,position_end,time_begin,time_end,frame,\w/)
  expect(rows.some((r) => r.split(',')[4] === 'thrilled')).toBe(true)
  for (const row of rows) expect(row.split(',')).toHaveLength(header!.split(',').length)

  const json = await download('Download JSON')
  expect(json.name).toBe(`job-${jobId}.json`)
  const results = JSON.parse(json.body.toString('utf8')) as {
    results: { predictions: { models: { language: { grouped_predictions: unknown[] } } }[] }
  }[]
  expect(results[0]!.results.predictions[0]!.models.language.grouped_predictions.length).toBeGreaterThan(0)

  const zip = await download('Download artifacts')
  expect(zip.name).toBe(`job-${jobId}-artifacts.zip`)
  expect(zip.body.subarray(0, 2).toString('latin1')).toBe('PK')

  await h.screenshot('jobs')
  expect(h.pageErrors).toEqual([])
})

it('uploads a file with sentence granularity: the job runs on it and charts it per sentence', async () => {
  const { page } = h
  await signedIn()
  await h.goTo('Jobs')
  const form = page.getByRole('form', { name: 'New job' })
  // The form keeps the last job's texts; this job is the file alone.
  await form.getByLabel('Texts (one per line)').fill('')
  await form.getByLabel('Files').setInputFiles({
    name: 'note.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('I am thrilled with the result. This is terrible news. We will see tomorrow.'),
  })
  await form.getByLabel('Language granularity').selectOption('sentence')
  await form.getByRole('button', { name: 'Submit job' }).click()

  const details = page.getByRole('region', { name: 'Job details' })
  await expect
    .poll(() => details.getByText('1 file (note.txt)', { exact: true }).isVisible(), { timeout: 30_000 })
    .toBe(true)
  await expect.poll(() => details.getByText('COMPLETED', { exact: true }).isVisible(), { timeout: 60_000 }).toBe(true)
  // The results are fetched once the job is COMPLETED: wait for them rather than race them.
  await expect.poll(() => details.getByRole('heading', { name: 'note.txt' }).count(), { timeout: 30_000 }).toBe(1)
  const summary = await details.getByRole('figure').getByRole('img').getAttribute('aria-label')
  expect(summary).toMatch(/^Language scores of .* over 3 sentences of note\.txt; highest: /)
  const rows = details.getByRole('table', { name: /Language predictions/ }).getByRole('row')
  expect(await rows.count()).toBe(4)
  expect(await rows.nth(1).textContent()).toContain('I am thrilled with the result.')
  // Both jobs are listed, newest first.
  const list = page.getByRole('region', { name: 'Job list' })
  await expect.poll(() => list.getByRole('button', { name: /^Open job / }).count()).toBe(2)
  expect(h.pageErrors).toEqual([])
})

it("opens a recorded chat: its events with the user's top emotions, and its reconstructed audio playing", async () => {
  const { page } = h
  const history = h.t.rt.eviHistory.chats
  const alice = h.t.alice.account_id
  const start = Date.now() - 3000
  const { chatId } = await history.startChat({ accountId: alice, startTimestamp: start })
  await history.appendEvent(alice, chatId, {
    role: 'USER',
    type: 'USER_MESSAGE',
    messageText: 'What is the weather?',
    timestamp: start + 500,
    emotionFeatures: { Interest: 0.71, Calmness: 0.4, Doubt: 0.125, Anger: 0.01 },
  })
  await history.appendEvent(alice, chatId, {
    role: 'AGENT',
    type: 'AGENT_MESSAGE',
    messageText: 'Sunny all day.',
    timestamp: start + 1200,
  })
  const rec = history.recorder(alice, chatId)
  rec.user(tone(0.5, 16_000), 200)
  rec.assistant(tone(0.5, 24_000, 880), 24_000, 1200)
  await rec.close()
  await history.endChat(alice, chatId, 'USER_ENDED', start + 3000)
  // Bob's chat is his own: alice's console never lists it.
  const bobs = await history.startChat({ accountId: h.t.bob.account_id })

  await signedIn()
  await h.goTo('Chats')
  await page.getByRole('button', { name: `Open chat ${chatId}` }).click()
  expect(await page.getByRole('button', { name: `Open chat ${bobs.chatId}` }).count()).toBe(0)

  const events = page.getByRole('region', { name: 'Chat events' })
  await expect.poll(() => events.getByRole('row').count()).toBe(3)
  const user = events.getByRole('row').filter({ hasText: 'What is the weather?' })
  expect(await user.textContent()).toContain('0.5USERUSER_MESSAGE')
  expect(await user.textContent()).toContain('Interest 0.71, Calmness 0.40, Doubt 0.13')
  expect(await events.getByRole('row').filter({ hasText: 'Sunny all day.' }).textContent()).toContain('AGENT')

  // The reconstruction runs on the worker; the page polls its status until the player appears.
  const audio = page.getByRole('region', { name: 'Chat audio' }).locator('audio')
  await expect.poll(() => audio.count(), { timeout: 60_000 }).toBe(1)
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.duration), { timeout: 20_000 }).toBeGreaterThan(1)
  await audio.evaluate((a: HTMLAudioElement) => a.play())
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime)).toBeGreaterThan(0)
  expect(await page.getByRole('region', { name: 'Chat audio' }).getByRole('status').textContent()).toBe(
    'Reconstruction: COMPLETE',
  )

  await h.screenshot('chats')
  expect(h.pageErrors).toEqual([])
})
