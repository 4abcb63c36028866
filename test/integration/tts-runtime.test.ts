// TTS work runs in the tts worker pool, never on the event loop, and is bounded: a request asks
// for at most PROSODIA_TTS_MAX_REQUEST_CHARS of speech, and a full queue answers 503 with
// retry-after. The fake engine's gate holds renders at a known point, so nothing here is timed.
import { threadId } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'

const VOICE = { name: 'Kora', provider: 'HUME_AI' }

describe('tts on the worker pool', () => {
  const gate = new SharedArrayBuffer(4)
  const stats = new SharedArrayBuffer(12)
  const counts = new Int32Array(stats)
  const open = () => {
    Atomics.store(new Int32Array(gate), 0, 1_000_000)
    Atomics.notify(new Int32Array(gate), 0)
  }
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      domains: ['tts'],
      config: { ttsThreads: 1, limits: { ttsQueue: 1, ttsRequestChars: 300, ttsConcurrentPerAccount: 3 } },
      runtime: { engine: { name: 'fake', gate, stats } },
    })
  })
  afterAll(() => t.close())

  const post = (text: string, extra: object = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v0/tts/file',
      payload: { utterances: [{ text, voice: VOICE }], format: { type: 'wav' }, ...extra },
      headers: t.auth(),
    })

  it('renders in a worker thread, not on the event loop', async () => {
    open()
    const res = await post('One short sentence.')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('audio/wav')
    expect(Atomics.load(counts, 2)).not.toBe(threadId)
    expect(Atomics.load(counts, 2)).toBeGreaterThan(0)
    expect(t.rt.pools.tts.stats().threads).toBe(1)
  })

  it('refuses more speech than PROSODIA_TTS_MAX_REQUEST_CHARS (text × generations) with a 422', async () => {
    const res = await post('word '.repeat(40), { num_generations: 2 }) // 200 chars × 2 = 400 > 300
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0]).toMatchObject({ loc: ['body', 'utterances'] })
    expect(res.json().detail[0].msg).toMatch(/400 characters .* limit is 300/)
    expect((await post('word '.repeat(40))).statusCode).toBe(200)
    // Trailing silence is audio too: 5 utterances of "a." with 5 s each ask for 5 × (2 + 75).
    const silent = await t.app.inject({
      method: 'POST',
      url: '/v0/tts/file',
      payload: { utterances: Array.from({ length: 5 }, () => ({ text: 'a.', voice: VOICE, trailing_silence: 5 })) },
      headers: t.auth(),
    })
    expect(silent.statusCode).toBe(422)
    expect(silent.json().detail[0].msg).toMatch(/385 characters of speech \(text and trailing silence/)
  })

  it("answers malformed or too deeply nested JSON with FastAPI's 422 json_invalid, as Hume's TTS API does", async () => {
    const send = (payload: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v0/tts',
        payload,
        headers: { ...t.auth(), 'content-type': 'application/json' },
      })
    const broken = await send('{"utterances": [')
    expect(broken.statusCode).toBe(422)
    expect(broken.json().detail[0]).toMatchObject({ loc: ['body'], type: 'json_invalid' })
    const deep = await send(`{"utterances":[{"text":"hi","voice":${'{"x":'.repeat(5000)}1${'}'.repeat(5000)}}]}`)
    expect(deep.statusCode).toBe(422)
    expect(deep.json().detail[0].msg).toMatch(/nested more than 32 levels/)
  })

  it('answers 503 with retry-after when every thread is busy and the queue is full', async () => {
    Atomics.store(new Int32Array(gate), 0, 0) // hold every render after its first chunk
    const before = Atomics.load(counts, 0)
    const long = 'First clause here, second clause there. And a third one, then a fourth.'
    const running = post(long) // takes the only thread
    while (Atomics.load(counts, 0) === before) await new Promise((r) => setTimeout(r, 5))
    const queued = post(long) // waits in the queue (size 1)
    while (t.rt.pools.tts.stats().queued === 0) await new Promise((r) => setTimeout(r, 5))
    const refused = await post(long)
    expect(refused.statusCode).toBe(503)
    expect(refused.headers['retry-after']).toBe('1')
    expect(refused.json()).toMatchObject({ code: 'unavailable' })
    open()
    expect((await running).statusCode).toBe(200)
    expect((await queued).statusCode).toBe(200)
  })
})

describe('tts requests per account', () => {
  const gate = new SharedArrayBuffer(4)
  const stats = new SharedArrayBuffer(12)
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      domains: ['tts'],
      config: { ttsThreads: 1, limits: { ttsQueue: 10, ttsConcurrentPerAccount: 2 } },
      runtime: { engine: { name: 'fake', gate, stats } },
    })
  })
  afterAll(() => t.close())

  const post = (who: 'alice' | 'bob') =>
    t.app.inject({
      method: 'POST',
      url: '/v0/tts/file',
      payload: { utterances: [{ text: 'First clause here, and a second one.', voice: VOICE }] },
      headers: t.auth(who),
    })

  it('answers 429 past PROSODIA_TTS_MAX_CONCURRENT_PER_ACCOUNT, leaving other accounts their share', async () => {
    const held = [post('alice'), post('alice')] // the fake engine holds both after their first chunk
    while (t.rt.pools.tts.stats().queued === 0) await new Promise((r) => setTimeout(r, 5))
    const third = await post('alice')
    expect(third.statusCode).toBe(429)
    expect(third.headers['retry-after']).toBe('1')
    expect(third.json().message).toMatch(/PROSODIA_TTS_MAX_CONCURRENT_PER_ACCOUNT/)
    const bob = post('bob')
    Atomics.store(new Int32Array(gate), 0, 1_000_000)
    Atomics.notify(new Int32Array(gate), 0)
    expect((await Promise.all([...held, bob])).map((r) => r.statusCode)).toEqual([200, 200, 200])
    // Slots come back when responses end.
    expect((await post('alice')).statusCode).toBe(200)
  })
})
