import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AudioUrlSigner } from '../../../src/domains/evi/history/audio-url.js'
import { historyKeys } from '../../../src/domains/evi/history/history.keys.js'
import type { ChatHistory } from '../../../src/domains/evi/history/history.types.js'
import { reconstructionJobs } from '../../../src/domains/evi/history/reconstruction.jobs.js'
import type { WorkerPool } from '../../../src/shared/workers/pool.js'
import { createTestApp, type TestApp } from '../../helpers/app.js'
import { decodeAudio, tone, waitForAudio, windowRms, type AudioState } from '../../helpers/chat-audio.js'
import { dialects } from '../../helpers/dialects.js'
import { parseMp3 } from '../../helpers/tts-audio.js'

const HOST = 'voice.example.test:8443'

/** Starts a chat that began `seconds` ago, records the user at 16 kHz and the assistant at 24 kHz, ends it. */
async function recordedChat(
  h: ChatHistory,
  accountId: string,
  o: { seconds: number; group?: string; user?: [number, number][]; assistant?: [number, number][] },
) {
  const start = Date.now() - o.seconds * 1000
  const ids = await h.startChat({
    accountId,
    startTimestamp: start,
    ...(o.group ? { resumeChatGroupId: o.group } : {}),
  })
  const rec = h.recorder(accountId, ids.chatId)
  for (const [atS, lenS] of o.user ?? []) {
    // In half-second chunks, as a socket delivers them, each placed by its own time.
    for (let s = 0; s < lenS; s += 0.5) rec.user(tone(Math.min(0.5, lenS - s), 16_000, 440), (atS + s) * 1000)
  }
  for (const [atS, lenS] of o.assistant ?? []) rec.assistant(tone(lenS, 24_000, 880), 24_000, atS * 1000)
  await rec.close()
  return { ...ids, start, end: start + o.seconds * 1000 }
}

const silent = (x: number) => expect(x).toBeLessThan(0.01)
const loud = (x: number) => expect(x).toBeGreaterThan(0.25)

describe.each(dialects())('EVI chat audio, recorded and reconstructed by the queue, on %s', (dialect) => {
  let t: TestApp
  let h: ChatHistory
  let alice: string
  beforeAll(async () => {
    t = await createTestApp(dialect, { domains: ['evi'], workers: true, runtime: { worker: { pollMs: 50 } } })
    h = t.rt.eviHistory.chats
    alice = t.alice.account_id
  })
  afterAll(() => t.close())

  const download = (url: string, headers: Record<string, string> = {}) => {
    const u = new URL(url)
    return t.app.inject({ method: 'GET', url: `${u.pathname}${u.search}`, headers })
  }
  let chat: Awaited<ReturnType<typeof recordedChat>>
  let audio: AudioState
  let file: Buffer

  it('records both sides, mixes them once the chat ends, and serves the MP3 behind a signed URL', async () => {
    chat = await recordedChat(h, alice, { seconds: 4, user: [[0.5, 1]], assistant: [[2, 1]] })
    // The tracks are in the blob store before the chat ends.
    for (const side of ['user', 'assistant'] as const)
      expect(await t.rt.blobs.stat(historyKeys.track(chat.chatId, side))).toBeDefined()
    await h.endChat(alice, chat.chatId, 'USER_ENDED', chat.end)

    audio = await waitForAudio(t.app, chat.chatId, { ...t.auth(), host: HOST })
    expect(audio).toMatchObject({
      id: chat.chatId,
      user_id: alice,
      status: 'COMPLETE',
      filename: `${alice}/${chat.chatId}/reconstructed_audio.mp3`,
    })
    expect(audio.modified_at).toBeGreaterThanOrEqual(chat.end)
    const url = new URL(audio.signed_audio_url as string)
    expect(url.origin).toBe(`http://${HOST}`)
    expect(url.pathname).toBe(`/v0/evi/chats/${chat.chatId}/audio/reconstructed_audio.mp3`)
    expect(Math.abs((audio.signed_url_expiration_timestamp_millis as number) - (Date.now() + 3_600_000))).toBeLessThan(
      60_000,
    )

    const res = await download(audio.signed_audio_url as string)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('audio/mpeg')
    expect(res.headers['accept-ranges']).toBe('bytes')
    file = res.rawPayload
    expect(Number(res.headers['content-length'])).toBe(file.length)
    const mp3 = parseMp3(file)
    expect(mp3.sampleRate).toBe(24_000)
    // The chat's length, plus at most the encoder's priming and last frame.
    expect(mp3.durationS).toBeGreaterThanOrEqual(4)
    expect(mp3.durationS).toBeLessThan(4.15)

    const pcm = decodeAudio(file, 24_000)
    silent(windowRms(pcm, 24_000, 0.1, 0.4))
    loud(windowRms(pcm, 24_000, 0.65, 1.4))
    silent(windowRms(pcm, 24_000, 1.65, 1.9))
    loud(windowRms(pcm, 24_000, 2.15, 2.9))
    silent(windowRms(pcm, 24_000, 3.2, 3.9))

    // The tracks were only inputs.
    for (const side of ['user', 'assistant'] as const)
      expect(await t.rt.blobs.stat(historyKeys.track(chat.chatId, side))).toBeUndefined()
  })

  it('serves byte ranges of the file', async () => {
    const size = file.length
    const head = await download(audio.signed_audio_url as string, { range: 'bytes=0-99' })
    expect(head.statusCode).toBe(206)
    expect(head.headers['content-range']).toBe(`bytes 0-99/${size}`)
    expect(head.headers['content-length']).toBe('100')
    expect(head.rawPayload.equals(file.subarray(0, 100))).toBe(true)
    const tail = await download(audio.signed_audio_url as string, { range: 'bytes=-50' })
    expect(tail.statusCode).toBe(206)
    expect(tail.rawPayload.equals(file.subarray(size - 50))).toBe(true)
    const past = await download(audio.signed_audio_url as string, { range: `bytes=${size}-` })
    expect(past.statusCode).toBe(416)
    expect(past.headers['content-range']).toBe(`bytes */${size}`)
    expect(past.json()).toMatchObject({ code: 'bad_request', error: 'Range Not Satisfiable' })
  })

  it('refuses expired, forged and misplaced signatures with 403, from the key kept in the database', async () => {
    const { value: key } = await t.db.kysely
      .selectFrom('server_secrets')
      .select('value')
      .where('name', '=', 'signing_key')
      .executeTakeFirstOrThrow()
    const old = new AudioUrlSigner(key, () => Date.now() - 2 * 3_600_000).sign(chat.chatId, `http://${HOST}`)
    const expired = await download(old.url)
    expect(expired.statusCode).toBe(403)
    expect(expired.json()).toEqual({ code: 'forbidden', error: 'Forbidden', message: expect.stringMatching(/expired/) })

    const good = new URL(audio.signed_audio_url as string)
    const sig = good.searchParams.get('signature') as string
    const forged = new URL(good)
    forged.searchParams.set('signature', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1))
    const later = new URL(good)
    later.searchParams.set('expires', String(Number(good.searchParams.get('expires')) + 3_600_000))
    const other = await recordedChat(h, alice, { seconds: 1 })
    const elsewhere = new URL(good)
    elsewhere.pathname = `/v0/evi/chats/${other.chatId}/audio/reconstructed_audio.mp3`
    for (const u of [forged, later, elsewhere, new URL(good.pathname, good)]) {
      const r = await download(u.toString())
      expect(r.statusCode, u.toString()).toBe(403)
      expect(r.json()).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/not signed/) })
    }
    // Signed properly for a chat whose audio does not exist (yet): not found.
    const notYet = new AudioUrlSigner(key).sign(other.chatId, `http://${HOST}`)
    expect((await download(notYet.url)).statusCode).toBe(404)
    await h.endChat(alice, other.chatId, 'USER_ENDED')
  })

  it('lists the audio of every chat of a group, paged, and hides it from other accounts', async () => {
    const next = await recordedChat(h, alice, { seconds: 2, group: chat.chatGroupId, user: [[0.2, 0.5]] })
    await h.endChat(alice, next.chatId, 'USER_TIMEOUT', next.end)
    await waitForAudio(t.app, next.chatId, t.auth())
    const r = await t.app.inject({
      method: 'GET',
      url: `/v0/evi/chat_groups/${chat.chatGroupId}/audio?page_size=1&page_number=1`,
      headers: { ...t.auth(), host: HOST },
    })
    expect(r.statusCode).toBe(200)
    const body = r.json()
    expect(body).toMatchObject({
      id: chat.chatGroupId,
      user_id: alice,
      num_chats: 2,
      page_number: 1,
      page_size: 1,
      total_pages: 2,
      pagination_direction: 'ASC',
    })
    expect(body.audio_reconstructions_page).toHaveLength(1)
    expect(body.audio_reconstructions_page[0]).toMatchObject({ id: next.chatId, status: 'COMPLETE' })
    const second = await download(body.audio_reconstructions_page[0].signed_audio_url)
    expect(second.statusCode).toBe(200)
    expect(parseMp3(second.rawPayload).durationS).toBeGreaterThanOrEqual(2)
    const bob = await t.app.inject({
      method: 'GET',
      url: `/v0/evi/chat_groups/${chat.chatGroupId}/audio`,
      headers: t.auth('bob'),
    })
    expect(bob.statusCode).toBe(404)
  })
})

describe.each(dialects())('EVI audio reconstruction job, step by step, on %s', (dialect) => {
  let t: TestApp
  let h: ChatHistory
  let alice: string
  beforeAll(async () => {
    // No queue worker: each test runs the job itself, through a pool it can hold back.
    t = await createTestApp(dialect, { domains: ['evi'], config: { limits: { mediaSeconds: 3 } } })
    h = t.rt.eviHistory.chats
    alice = t.alice.account_id
  })
  afterAll(() => t.close())

  let gate: Promise<void> = Promise.resolve()
  const gated: () => WorkerPool = () => ({
    ...t.rt.pools.batch,
    stream: <M>(task: string, input: unknown, o?: { signal?: AbortSignal }) => {
      const pool = t.rt.pools.batch
      const wait = gate
      return (async function* () {
        await wait
        yield* pool.stream<M>(task, input, o)
      })()
    },
  })
  const job = () =>
    reconstructionJobs({
      db: t.db.kysely,
      blobs: t.rt.blobs,
      pool: gated(),
      maxSeconds: t.config.limits.mediaSeconds,
      log: pino({ level: 'silent' }),
      now: Date.now,
    })['evi.audio_reconstruction']
  const run = (chatId: string, signal = new AbortController().signal) =>
    job().handle(
      { v: 1, accountId: alice, chatId },
      { signal, job: { id: 'j', name: 'evi.audio_reconstruction', payload: { v: 1 }, attempt: 1, maxAttempts: 5 } },
    )
  const state = async (chatId: string) =>
    (
      await t.app.inject({ method: 'GET', url: `/v0/evi/chats/${chatId}/audio`, headers: t.auth() })
    ).json() as AudioState
  const stored = async (chatId: string) => {
    const s = await t.rt.blobs.get(historyKeys.audio(chatId))
    if (!s) return undefined
    const parts: Buffer[] = []
    for await (const c of s) parts.push(c as Buffer)
    return Buffer.concat(parts)
  }

  it('goes QUEUED → IN_PROGRESS → COMPLETE; a run cut short runs again and finishes once', async () => {
    const c = await recordedChat(h, alice, { seconds: 2, user: [[0.2, 0.5]], assistant: [[1, 0.5]] })
    await h.endChat(alice, c.chatId, 'USER_ENDED', c.end)
    expect(await state(c.chatId)).toMatchObject({ status: 'QUEUED', signed_audio_url: null })

    let open!: () => void
    gate = new Promise((r) => (open = r))
    const ac = new AbortController()
    const first = run(c.chatId, ac.signal)
    await expect.poll(async () => (await state(c.chatId)).status).toBe('IN_PROGRESS')
    // The worker dies mid-job (its lease lapses, the signal aborts): nothing half-made is visible.
    ac.abort(new Error('lease lost'))
    open()
    await expect(first).rejects.toThrow()
    expect(await state(c.chatId)).toMatchObject({ status: 'IN_PROGRESS', signed_audio_url: null })
    expect(await stored(c.chatId)).toBeUndefined()

    gate = Promise.resolve()
    await run(c.chatId)
    const done = await state(c.chatId)
    expect(done.status).toBe('COMPLETE')
    const bytes = await stored(c.chatId)
    expect(parseMp3(bytes as Buffer).durationS).toBeGreaterThanOrEqual(2)

    // Delivered again after completing: nothing changes.
    await run(c.chatId)
    expect((await state(c.chatId)).modified_at).toBe(done.modified_at)
    expect((await stored(c.chatId))?.equals(bytes as Buffer)).toBe(true)
    expect(await t.rt.blobs.stat(historyKeys.track(c.chatId, 'user'))).toBeUndefined()
  })

  it('ends ERROR when a recording cannot be mixed, and when every attempt failed', async () => {
    const c = await recordedChat(h, alice, { seconds: 1, user: [[0, 0.5]] })
    await t.rt.blobs.put(historyKeys.track(c.chatId, 'user'), 'this is not a track')
    await h.endChat(alice, c.chatId, 'ERROR', c.end)
    await run(c.chatId)
    expect(await state(c.chatId)).toMatchObject({ status: 'ERROR', filename: null, signed_audio_url: null })

    const d = await recordedChat(h, alice, { seconds: 1 })
    await h.endChat(alice, d.chatId, 'USER_ENDED', d.end)
    await job().onDead?.({ v: 1, accountId: alice, chatId: d.chatId }, 'database down')
    expect((await state(d.chatId)).status).toBe('ERROR')
  })

  it('reconstructs a chat without audio as silence of its length', async () => {
    const c = await recordedChat(h, alice, { seconds: 2 })
    await h.endChat(alice, c.chatId, 'USER_ENDED', c.end)
    await run(c.chatId)
    expect((await state(c.chatId)).status).toBe('COMPLETE')
    const bytes = (await stored(c.chatId)) as Buffer
    const mp3 = parseMp3(bytes)
    expect(mp3.sampleRate).toBe(16_000)
    expect(mp3.durationS).toBeGreaterThanOrEqual(2)
    expect(mp3.durationS).toBeLessThan(2.15)
    silent(windowRms(decodeAudio(bytes, 16_000), 16_000, 0, 2))
  })

  it('records and mixes no more than PROSODIA_MEDIA_MAX_SECONDS', async () => {
    // The limit is 3 s here: the user's two seconds from 2 s keep their first second only.
    const c = await recordedChat(h, alice, { seconds: 10, user: [[2, 2]] })
    await h.endChat(alice, c.chatId, 'USER_ENDED', c.end)
    await run(c.chatId)
    const bytes = (await stored(c.chatId)) as Buffer
    const mp3 = parseMp3(bytes)
    expect(mp3.durationS).toBeGreaterThanOrEqual(3)
    expect(mp3.durationS).toBeLessThan(3.15)
    const pcm = decodeAudio(bytes, 16_000)
    silent(windowRms(pcm, 16_000, 0.2, 1.9))
    loud(windowRms(pcm, 16_000, 2.15, 2.9))
  })
})
