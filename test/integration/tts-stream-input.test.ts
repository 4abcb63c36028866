// Bounds of /v0/tts/stream/input (and of every socket, through the socket guard): generations
// never exceed 5,000 characters however the text arrives, sockets close when idle or flooding,
// an account holds a bounded number of them, and bad or oversized messages close the socket.
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'

const VOICE = { name: 'Kora', provider: 'HUME_AI' }

interface Opened {
  ws: WebSocket
  messages: { type: string; text?: string; generation_id?: string; snippet_id?: string }[]
  closed: Promise<{ code: number; reason: string }>
}

describe('stream-input limits', () => {
  let t: TestApp
  let url: string
  const lines: { level: number; msg?: string; code?: string }[] = []
  const log = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as (typeof lines)[number])
      cb()
    },
  })
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      domains: ['tts'],
      config: {
        limits: {
          wsIdleMs: 1000,
          wsMessagesPerSecond: 5,
          wsSocketsPerAccount: 2,
          wsMessageBytes: 64 * 1024,
          wsBufferedBytes: 64 * 1024,
        },
      },
      runtime: { engine: { name: 'fake' } },
      logStream: log,
    })
    const base = new URL(await listen(t.app))
    url = `ws://${base.host}/v0/tts/stream/input?format_type=pcm&api_key=${t.alice.api_key}`
  })
  afterAll(() => t.close())

  async function connect(): Promise<Opened> {
    const ws = new WebSocket(url)
    const messages: Opened['messages'] = []
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())))
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return { ws, messages, closed }
  }

  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise((r) => setTimeout(r, 10))
  }

  it('speaks text without sentence ends in generations of at most 5,000 characters, before any flush', async () => {
    const s = await connect()
    const run = 'word '.repeat(1000) // 5,000 characters, no sentence end
    s.ws.send(JSON.stringify({ text: run, voice: VOICE }))
    for (let i = 0; i < 3; i++) s.ws.send(JSON.stringify({ text: run }))
    // 20,000 characters are in: at least three generations are spoken without a flush.
    const generations = () => new Set(s.messages.filter((m) => m.type === 'audio').map((m) => m.generation_id))
    await until(() => generations().size >= 3)
    s.ws.send(JSON.stringify({ flush: true, close: true }))
    expect((await s.closed).code).toBe(1000)
    // Each audio chunk repeats its snippet's text: count each snippet once, per generation.
    const snippets = new Map(s.messages.filter((m) => m.type === 'audio').map((m) => [m.snippet_id, m]))
    const chars = new Map<string, number>()
    for (const m of snippets.values()) chars.set(m.generation_id!, (chars.get(m.generation_id!) ?? 0) + m.text!.length)
    expect(chars.size).toBeGreaterThanOrEqual(4)
    for (const n of chars.values()) expect(n).toBeLessThanOrEqual(5000)
    expect([...chars.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(19_000)
  })

  it('closes a socket that sends more than PROSODIA_WS_MAX_MESSAGES_PER_SECOND (1008)', async () => {
    const s = await connect()
    for (let i = 0; i < 40; i++) s.ws.send(JSON.stringify({ text: 'a' }))
    const closed = await s.closed
    expect(closed.code).toBe(1008)
    expect(closed.reason).toMatch(/more than 5 messages per second/)
  })

  it('closes an idle socket after PROSODIA_WS_IDLE_TIMEOUT_MS', async () => {
    const s = await connect()
    expect(await s.closed).toEqual({ code: 1000, reason: 'idle for 1000 ms' })
  })

  it('refuses a third concurrent socket of one account with 429, and admits one once another closes', async () => {
    const a = await connect()
    const b = await connect()
    const status = await new Promise<number>((resolve) => {
      const c = new WebSocket(url)
      c.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      c.on('open', () => resolve(101))
      c.on('error', () => {})
    })
    expect(status).toBe(429)
    a.ws.close()
    await a.closed
    await until(() => t.rt.sockets.count(t.alice.account_id) < 2)
    const d = await connect()
    d.ws.close()
    b.ws.close()
    await Promise.all([b.closed, d.closed])
  })

  it('closes on JSON nested deeper than PROSODIA_JSON_MAX_DEPTH and on messages over the size limit', async () => {
    const deep = await connect()
    deep.ws.send('{"text":' + '['.repeat(5000) + ']'.repeat(5000) + '}')
    const closed = await deep.closed
    expect(closed.code).toBe(1008)
    expect(closed.reason).toMatch(/nested more than 32 levels/)
    const big = await connect()
    big.ws.send(JSON.stringify({ text: 'x'.repeat(70 * 1024) }))
    expect((await big.closed).code).toBe(1009)
    // The client's mistake is logged as such, not as a server error with a stack trace.
    expect(lines.find((l) => l.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')).toMatchObject({ level: 30 })
    expect(lines.filter((l) => l.level >= 50)).toEqual([])
  })

  it('stops synthesising for a client that does not read, and closes it (PROSODIA_WS_MAX_BUFFERED_BYTES)', async () => {
    const s = await connect()
    s.ws.pause() // reads nothing from now on
    // Far more audio than loopback's kernel buffers hold: 8 generations of ~30 s of PCM each.
    s.ws.send(JSON.stringify({ voice: VOICE, trailing_silence: 5 }))
    for (let i = 0; i < 8; i++) s.ws.send(JSON.stringify({ text: `${'word '.repeat(300)}end. ` }))
    // The server gives up on it (its side of the socket starts closing) once it has waited stallMs.
    const server = () => [...t.app.websocketServer.clients]
    await until(() => server().some((c) => c.readyState === c.CLOSING))
    s.ws.resume()
    const closed = await s.closed
    expect(closed).toEqual({ code: 1008, reason: 'the client is not reading its audio' })
  })
})
