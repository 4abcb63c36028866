// POST /v1/audio/speech on the TTS worker pool: the render stops when the client goes, and an
// account's in-flight limit answers 429 in OpenAI's shape. The fake engine's gate holds renders
// after their first chunk, so nothing here is timed.
import OpenAI, { RateLimitError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'

const CLAUSES = 'One clause here, another clause there, a third one, a fourth one, and a fifth one.'

describe('openai speech on the worker pool', () => {
  const gate = new SharedArrayBuffer(4)
  const stats = new SharedArrayBuffer(12)
  const counts = new Int32Array(stats)
  const allow = (n: number) => {
    Atomics.store(new Int32Array(gate), 0, n)
    Atomics.notify(new Int32Array(gate), 0)
  }
  const until = async (ok: () => boolean) => {
    while (!ok()) await new Promise((r) => setTimeout(r, 5))
  }
  let t: TestApp
  let base: string
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      domains: ['tts'],
      config: { ttsThreads: 1, limits: { ttsQueue: 10, ttsConcurrentPerAccount: 2 } },
      runtime: { engine: { name: 'fake', gate, stats } },
    })
    base = await listen(t.app)
  })
  afterAll(() => t.close())

  const speak = (signal?: AbortSignal) =>
    fetch(`${base}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.alice.api_key}` },
      body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: CLAUSES, response_format: 'wav' }),
      ...(signal ? { signal } : {}),
    })

  it('streams the first clause at once and stops rendering when the client goes', async () => {
    allow(0)
    const [rendered, finished] = [Atomics.load(counts, 0), Atomics.load(counts, 1)]
    const ac = new AbortController()
    const res = await speak(ac.signal)
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    const first = await reader.read()
    expect(Buffer.from(first.value!).subarray(0, 4).toString('ascii')).toBe('RIFF')
    ac.abort()
    await until(() => Atomics.load(counts, 1) > finished)
    // Only the clause the gate let through was rendered: the abort, not completion, ended it.
    expect(Atomics.load(counts, 0) - rendered).toBe(1)
    allow(1_000_000)
    expect((await speak()).status).toBe(200)
  })

  it("answers 429 (the SDK's RateLimitError, with retry-after) past the account's in-flight limit", async () => {
    allow(0)
    // The first holds the only thread after its first clause; the second waits in the pool's queue.
    const held = [speak(), speak()]
    await until(() => t.rt.pools.tts.stats().queued > 0)
    const client = new OpenAI({ apiKey: t.alice.api_key, baseURL: `${base}/v1`, maxRetries: 0 })
    const err = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hi.' }).catch((e) => e)
    expect(err).toBeInstanceOf(RateLimitError)
    expect(err).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' })
    expect(err.headers.get('retry-after')).toBe('1')
    expect(err.message).toMatch(/PROSODIA_TTS_MAX_CONCURRENT_PER_ACCOUNT/)
    allow(1_000_000)
    for (const r of await Promise.all(held)) expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(44)
  })
})
