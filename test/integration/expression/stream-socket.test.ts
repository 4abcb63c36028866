// /v0/stream/models over a real port: payloads and answers in Hume's streaming shapes (every
// message sent and received is checked strictly against hume@0.15.17's own wire schemas), one
// answer per payload in order, coded errors that leave the socket open, and real models on the
// shared samples (face-api on a face image, the prosody model on a RAVDESS sentence).
import { createRequire } from 'node:module'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createTestApp, listen, type TestApp } from '../../helpers/app.js'
import {
  Client,
  expectError,
  expectPredictions,
  makeVideo,
  requireProsodyModel,
  sample,
  SHARED,
  strict,
  top,
  wav,
} from '../../helpers/stream-client.js'

const require = createRequire(import.meta.url)

describe('/v0/stream/models', () => {
  let t: TestApp
  let host: string
  beforeAll(async () => {
    t = await createTestApp('sqlite', { domains: ['expression'] })
    host = new URL(await listen(t.app)).host
  })
  afterAll(() => t.close())

  async function connect(auth: 'query' | 'header' = 'query'): Promise<Client> {
    const key = t.alice.api_key
    const ws =
      auth === 'query'
        ? new WebSocket(`ws://${host}/v0/stream/models?api_key=${key}`)
        : new WebSocket(`ws://${host}/v0/stream/models`, { headers: { 'X-Hume-Api-Key': key } })
    const client = new Client(ws)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return client
  }

  const handshake = (url: string, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers })
      ws.on('open', () => {
        ws.close()
        resolve(101)
      })
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('error', () => {})
    })

  it('refuses a handshake without valid credentials, and takes a key in the header or the query', async () => {
    expect(await handshake(`ws://${host}/v0/stream/models`)).toBe(401)
    expect(await handshake(`ws://${host}/v0/stream/models?api_key=wrong`)).toBe(401)
    expect(await handshake(`ws://${host}/v0/stream/models?api_key=${t.alice.api_key}`)).toBe(101)
    expect(await handshake(`ws://${host}/v0/stream/models`, { 'X-Hume-Api-Key': t.alice.api_key })).toBe(101)
  })

  it('answers raw text with word-level language predictions, echoing payload_id', async () => {
    const c = await connect('header')
    const text = 'I am so happy and grateful today! 🎉 Thank you.'
    const a = await c.ask({ data: text, raw_text: true, models: { language: {} }, payload_id: 'p-1' })
    expectPredictions(a)
    expect(a.payload_id).toBe('p-1')
    const preds = a.language!.predictions
    expect(preds.map((p) => p.text)).toEqual(['I', 'am', 'so', 'happy', 'and', 'grateful', 'today', 'Thank', 'you'])
    // Positions count characters (code points), as Hume's do: the emoji is one.
    const chars = [...text]
    for (const p of preds) expect(chars.slice(p.position.begin, p.position.end).join('')).toBe(p.text)
    const happy = preds.find((p) => p.text === 'happy')!
    expect(happy.emotions.length).toBeGreaterThan(5)
    expect(['Joy', 'Gratitude', 'Excitement', 'Amusement', 'Love', 'Satisfaction']).toContain(top(happy.emotions))
    // Models set once stay for the socket; passage gives one prediction for the whole text.
    const whole = await c.ask({ data: 'What a sad, gloomy day.', raw_text: true })
    expectPredictions(whole)
    expect(whole.payload_id).toBeUndefined()
    expect(whole.language!.predictions.length).toBe(5)
    const passage = await c.ask({
      data: 'What a sad, gloomy day. I miss her.',
      raw_text: true,
      models: { language: { granularity: 'passage' } },
    })
    expectPredictions(passage)
    expect(passage.language!.predictions).toHaveLength(1)
    expect(passage.language!.predictions[0]!.position).toEqual({ begin: 0, end: 35 })
    c.ws.close()
  })

  it('reports the socket’s job id for job_details, alone or with data, and acknowledges reset_stream', async () => {
    const c = await connect()
    const a = await c.ask({ job_details: true, payload_id: 'jd' })
    strict('StreamModelPredictions', a)
    expect(a.payload_id).toBe('jd')
    const jobId = a.job_details!.job_id
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/)
    const b = await c.ask({ data: 'Hello there.', raw_text: true, models: { language: {} }, job_details: true })
    expectPredictions(b)
    expect(b.job_details).toEqual({ job_id: jobId })
    expect(b.language!.predictions.length).toBe(2)
    const reset = await c.ask({ reset_stream: true, payload_id: 'r' })
    expect(reset).toEqual({ payload_id: 'r' })
    const other = await connect()
    const o = await other.ask({ job_details: true })
    expect(o.job_details!.job_id).not.toBe(jobId)
    c.ws.close()
    other.ws.close()
  })

  it('answers bad payloads with Hume’s codes and keeps the socket open', async () => {
    const c = await connect()
    expectError(await c.raw('{"data": "hello", '), 'E0100')
    expectError(await c.raw('[1, 2'), 'E0100')
    const unknownModel = await c.raw(JSON.stringify({ data: 'aGk=', models: { voice: {} }, payload_id: 'u' }))
    expectError(unknownModel, 'E0101')
    expect(unknownModel.payload_id).toBe('u')
    expectError(
      await c.raw(JSON.stringify({ data: 'hi', raw_text: true, models: { language: {} }, extra: 1 })),
      'E0101',
    )
    expectError(await c.raw(JSON.stringify({ data: 'hi', raw_text: true, stream_window_ms: 100 })), 'E0101')
    expectError(await c.raw(JSON.stringify({ data: 'aGk=' })), 'E0101') // data, but no models yet
    expectError(await c.raw('{}'), 'E0101')
    const notBase64 = await c.ask({ data: 'this is not base64!', models: { face: {} }, payload_id: 'b' })
    expectError(notBase64, 'E0201')
    expect(notBase64.payload_id).toBe('b')
    expectError(await c.ask({ data: Buffer.from([0, 1, 2, 3, 0xff, 0xfe]).toString('base64') }), 'E0200')
    const long = await c.ask({ data: 'word '.repeat(2001), raw_text: true, models: { language: {} } })
    expectError(long, 'E0206')
    expect(long.error).toMatch(/10000 characters/)
    expectError(await c.ask({ data: 'Some text.', raw_text: true, models: { face: {} } }), 'E0102')
    // The socket still answers the next good payload.
    const ok = await c.ask({ data: 'Still here.', raw_text: true, models: { language: {} }, payload_id: 'ok' })
    expectPredictions(ok)
    expect(ok.payload_id).toBe('ok')
    c.ws.close()
    expect(await c.closed).toBe(1005)
  })

  it('answers burst and facemesh with a coded error: this build has no such models', async () => {
    const c = await connect()
    const burst = await c.ask({ data: wav(new Float32Array(16_000)).toString('base64'), models: { burst: {} } })
    expectError(burst, 'E0102')
    expect(burst.error).toBe('burst is not available in this build')
    const mesh = await c.ask({ data: 'W10=', raw_text: true, models: { facemesh: {}, language: {} } })
    expectError(mesh, 'E0102')
    expect(mesh.error).toBe('facemesh is not available in this build')
    c.ws.close()
  })

  it('finds one face with Joy on top in the happy sample, with a stable id under identify_faces', async () => {
    const image = sample('face-expression-samples/happy.jpg').toString('base64')
    const c = await connect()
    const a = await c.ask({ data: image, models: { face: {} }, payload_id: 'face' })
    expectPredictions(a)
    expect(a.payload_id).toBe('face')
    const faces = a.face!.predictions
    expect(faces).toHaveLength(1)
    const f = faces[0]!
    expect(top(f.emotions)).toBe('Joy')
    expect(f).toMatchObject({ frame: 0, time: 0, face_id: 'unknown' })
    expect(f.prob).toBeGreaterThanOrEqual(0.99)
    expect(f.bbox.w).toBeGreaterThanOrEqual(60)
    // The emotion names are those the expression net measures, never more.
    expect(f.emotions.map((e) => e.name).sort()).toEqual(['Anger', 'Disgust', 'Fear', 'Joy', 'Sadness'])
    const ids: string[] = []
    for (let i = 0; i < 2; i++) {
      const b = await c.ask({ data: image, models: { face: { identify_faces: true } } })
      expectPredictions(b)
      ids.push(b.face!.predictions[0]!.face_id)
    }
    expect(ids).toEqual(['face_0', 'face_0'])
    // An image configured for prosody only is a model/media mismatch.
    expectError(await c.ask({ data: image, models: { prosody: {} } }), 'E0102')
    c.ws.close()
  })

  it('measures prosody on a RAVDESS sentence with time ranges, and warns on silence', async () => {
    requireProsodyModel()
    const file = sample('ravdess-samples/03-01-03-01-02-01-07.wav')
    const seconds = (file.length - 44) / 2 / 48_000
    const c = await connect()
    const a = await c.ask({ data: file.toString('base64'), models: { prosody: {} }, payload_id: 'ravdess' })
    expectPredictions(a)
    expect(a.payload_id).toBe('ravdess')
    const preds = a.prosody!.predictions
    expect(preds.length).toBeGreaterThan(0)
    for (const p of preds) {
      expect(p.time.begin).toBeGreaterThanOrEqual(0)
      expect(p.time.end).toBeGreaterThan(p.time.begin)
      expect(p.time.end).toBeLessThanOrEqual(seconds + 0.05)
      expect(p.emotions.length).toBeGreaterThan(0)
      for (const e of p.emotions) expect(e.score).toBeGreaterThanOrEqual(0)
    }
    // Speech fills most of the sentence (RAVDESS clips have about a second of silence in all).
    const speech = preds.reduce((s, p) => s + p.time.end - p.time.begin, 0)
    expect(speech).toBeGreaterThan(1)
    const silent = await c.ask({ data: wav(new Float32Array(16_000)).toString('base64'), reset_stream: true })
    expect(silent).toMatchObject({ code: 'W0105' })
    strict('StreamWarningMessage', silent)
    const tooLong = await c.ask({ data: wav(new Float32Array(16_000 * 6)).toString('base64') })
    expectError(tooLong, 'E0203')
    c.ws.close()
  })

  it('prepends up to stream_window_ms of earlier audio to the next audio payload, until reset_stream', async () => {
    requireProsodyModel()
    const file = sample('ravdess-samples/03-01-05-01-02-01-13.wav')
    const c = await connect()
    // The sentence, then one second of silence: with a 5 s window the silence is analysed after
    // the end of the sentence, so speech is found again; after a reset it is silence alone.
    const first = await c.ask({ data: file.toString('base64'), models: { prosody: {} }, stream_window_ms: 5000 })
    expectPredictions(first)
    const silence = wav(new Float32Array(16_000)).toString('base64')
    const withContext = await c.ask({ data: silence })
    expectPredictions(withContext)
    const last = withContext.prosody!.predictions.at(-1)!
    expect(last.time.end).toBeGreaterThan(2)
    const afterReset = await c.ask({ data: silence, reset_stream: true })
    expect(afterReset.code).toBe('W0105')
    c.ws.close()
  })

  it('gives face frames at fps_pred and prosody for a short video, and refuses one over 5 s', async () => {
    requireProsodyModel()
    sample('face-expression-samples/happy.jpg')
    sample('ravdess-samples/03-01-03-01-02-01-07.wav')
    const image = path.join(SHARED, 'face-expression-samples/happy.jpg')
    const audio = path.join(SHARED, 'ravdess-samples/03-01-03-01-02-01-07.wav')
    const c = await connect()
    const a = await c.ask({
      data: makeVideo(image, audio, 3).toString('base64'),
      models: { face: { fps_pred: 1 }, prosody: {} },
    })
    expectPredictions(a)
    const faces = a.face!.predictions
    expect(faces.map((f) => f.frame)).toEqual([0, 1, 2])
    expect(faces.map((f) => f.time)).toEqual([0, 1, 2])
    for (const f of faces) expect(top(f.emotions)).toBe('Joy')
    expect(a.prosody!.predictions.length).toBeGreaterThan(0)
    for (const p of a.prosody!.predictions) expect(p.time.end).toBeLessThanOrEqual(3.05)
    const long = await c.ask({ data: makeVideo(image, audio, 5.5).toString('base64') })
    expectError(long, 'E0204')
    c.ws.close()
  })

  it('pairs each payload with its answer for hume@0.15.17’s streaming wrapper (sendText, getJobDetails, reset)', async () => {
    // The wrapper's StreamClient hard-codes wss://api.hume.ai; its StreamSocket takes any socket.
    const cjs = path.dirname(require.resolve('hume-legacy'))
    const { StreamSocket } = require(path.join(cjs, 'wrapper/expressionMeasurement/streaming/StreamSocket.js')) as {
      StreamSocket: new (o: object) => {
        sendText(o: { text: string }): Promise<Record<string, unknown>>
        getJobDetails(): Promise<void>
        reset(): Promise<void>
        close(): void
      }
    }
    const websocket = new WebSocket(`ws://${host}/v0/stream/models`, { headers: { 'X-Hume-Api-Key': t.alice.api_key } })
    const socket = new StreamSocket({ websocket, config: { language: { granularity: 'sentence' } } })
    const first = await socket.sendText({ text: 'I love this. It is great.' })
    await socket.getJobDetails()
    await socket.reset()
    const second = await socket.sendText({ text: 'Second payload here.' })
    const texts = (r: Record<string, unknown>) =>
      (r.language as { predictions: { text: string }[] }).predictions.map((p) => p.text)
    expect(texts(first)).toEqual(['I love this.', 'It is great.'])
    expect(texts(second)).toEqual(['Second payload here.'])
    socket.close()
  })

  it('serves hume@0.15.17’s generated socket client pointed at this server', async () => {
    const { StreamClient } = require('hume-legacy/expressionMeasurement/stream') as {
      StreamClient: new (o: object) => {
        connect(args: object): Promise<{
          on(event: 'message' | 'error', cb: (m: unknown) => void): void
          waitForOpen(): Promise<unknown>
          sendPublish(m: object): void
          close(): void
        }>
      }
    }
    const client = new StreamClient({ environment: { stream: `ws://${host}/v0/stream` } })
    const socket = await client.connect({ 'X-Hume-Api-Key': t.alice.api_key, reconnectAttempts: 0 })
    const got = new Promise<Record<string, unknown>>((resolve, reject) => {
      socket.on('message', (m) => resolve(m as Record<string, unknown>))
      socket.on('error', reject)
    })
    await socket.waitForOpen()
    socket.sendPublish({ data: 'This is wonderful news.', rawText: true, models: { language: {} }, payloadId: 'sdk' })
    const m = await got
    expect(m.payloadId).toBe('sdk')
    expect((m.language as { predictions: unknown[] }).predictions).toHaveLength(4)
    socket.close()
  })
})
