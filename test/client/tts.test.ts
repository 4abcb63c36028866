/**
 * Prosodia's client against the real server: every HTTP method of client.tts (JSON, file, both streams)
 * with real audio, stopping a stream early, and the errors users branch on. Voices: tts-voices.test.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BinaryResponse,
  JsonStream,
  UnauthorizedError,
  UnprocessableEntityError,
  type ProsodiaClient,
  type tts,
} from '../../src/client/index.js'
import { decodeBase64 } from '../../src/client/resources/tts/index.js'
import { startClientHarness, type ClientHarness, errorOf } from '../helpers/client.js'
import { parseMp3, parseWav, rms } from '../helpers/tts-audio.js'

const ACTOR = { name: 'Male English Actor', provider: 'HUME_AI' } as const
const SENTENCE = 'Beauty is no quality in things themselves: it exists merely in the mind which contemplates them.'

function concat(parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(p)))
}

describe('client: tts synthesis', () => {
  let h: ClientHarness
  let client: ProsodiaClient
  /** Every response the server ended, by path: whether it finished writing or was cut off by the client. */
  const ended: { path: string; finished: boolean }[] = []
  beforeAll(async () => {
    h = await startClientHarness('sqlite', { domains: ['tts'] })
    client = h.client
    h.t.app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      res.on('close', () => ended.push({ path: req.url ?? '', finished: res.writableFinished }))
    })
  })
  afterAll(async () => {
    // After a cancelled stream, Node's fetch (undici) opens a fresh connection and sends nothing on it;
    // app.close() would wait for that connection until the server's request timeout.
    h.t.app.server.closeAllConnections()
    await h.close()
  })

  it('synthesizeJson: camelCased generations with decodable WAV audio, and the raw response', async () => {
    const { data, rawResponse } = await client.tts
      .synthesizeJson({ utterances: [{ text: SENTENCE, voice: ACTOR }], format: { type: 'wav' } })
      .withRawResponse()
    expect(rawResponse.status).toBe(200)
    const g = data.generations[0]!
    expect(Object.keys(g).sort()).toEqual(['audio', 'duration', 'encoding', 'fileSize', 'generationId', 'snippets'])
    expect(g.encoding).toEqual({ format: 'wav', sampleRate: expect.any(Number) as number })
    const audio = Buffer.from(decodeBase64(g.audio))
    expect(audio.toString('ascii', 0, 4)).toBe('RIFF')
    expect(audio.length).toBe(g.fileSize)
    expect(rms(parseWav(audio).samples)).toBeGreaterThan(0.02)
    expect(g.snippets[0]![0]).toMatchObject({ generationId: g.generationId, text: SENTENCE, utteranceIndex: 0 })
    expect(rawResponse.headers.get('x-generation-ids')).toBe(g.generationId)
  })

  it('synthesizeFile: a WAV file (RIFF), and MP3 by default', async () => {
    const wavFile = await client.tts.synthesizeFile({
      utterances: [{ text: SENTENCE, voice: ACTOR }],
      format: { type: 'wav' },
    })
    expect(wavFile).toBeInstanceOf(BinaryResponse)
    expect(wavFile.contentType).toBe('audio/wav')
    const wav = Buffer.from(await wavFile.bytes())
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF')
    const parsed = parseWav(wav)
    expect(parsed.declaredBytes).toBe(parsed.samples.length * 2)
    expect(rms(parsed.samples)).toBeGreaterThan(0.02)

    const mp3File = await client.tts.synthesizeFile({ utterances: [{ text: SENTENCE, voice: ACTOR }] })
    expect(mp3File.contentType).toBe('audio/mpeg')
    const mp3 = parseMp3(Buffer.from(await mp3File.arrayBuffer()))
    expect(mp3.frames).toBeGreaterThan(10)
    expect(mp3.durationS).toBeCloseTo(parsed.samples.length / parsed.sampleRate, 0)
  })

  it('synthesizeFileStreaming: the same PCM bytes read as a ReadableStream and by for await', async () => {
    const request: tts.PostedTts = { utterances: [{ text: SENTENCE, voice: ACTOR }], format: { type: 'pcm' } }
    const viaStream = await client.tts.synthesizeFileStreaming(request)
    const reader = viaStream.stream().getReader()
    const streamed: Uint8Array[] = []
    for (let r = await reader.read(); !r.done; r = await reader.read()) streamed.push(r.value)
    const viaLoop: Uint8Array[] = []
    for await (const chunk of await client.tts.synthesizeFileStreaming(request)) {
      expect(chunk).toBeInstanceOf(Uint8Array)
      viaLoop.push(chunk)
    }
    const a = concat(streamed)
    const b = concat(viaLoop)
    expect(a.length).toBeGreaterThan(16000) // over half a second of 16-bit audio
    expect(b.equals(a)).toBe(true)
  })

  it('synthesizeFileStreaming: leaving for await early cancels the response on the server', async () => {
    const long = `${'The quick brown fox jumps over the lazy dog, again and again. '.repeat(60)}`
    const request: tts.PostedTts = {
      utterances: [0, 1, 2].map(() => ({ text: long, voice: ACTOR })),
      format: { type: 'pcm' },
    }
    const since = ended.length
    const file = await client.tts.synthesizeFileStreaming(request)
    let chunks = 0
    for await (const chunk of file) {
      expect(chunk.length).toBeGreaterThan(0)
      if (++chunks === 1) break
    }
    const path = '/v0/tts/stream/file'
    // Minutes of audio were asked for: the response ends unfinished, cut off because the client went.
    const cut = () => ended.slice(since).filter((e) => e.path === path && !e.finished)
    await expect.poll(() => cut().length, { timeout: 10_000 }).toBe(1)
    // The body was cancelled, not just abandoned: a new reader sees it closed at once.
    expect((await file.stream().getReader().read()).done).toBe(true)
  })

  it('synthesizeJsonStreaming: camelCased audio chunks and word timestamps, by for await', async () => {
    const stream = await client.tts.synthesizeJsonStreaming({
      utterances: [{ text: 'One small step. Then another.', voice: ACTOR }],
      format: { type: 'wav' },
      stripHeaders: true,
      includeTimestampTypes: ['word'],
    })
    expect(stream).toBeInstanceOf(JsonStream)
    const messages: tts.TtsOutput[] = []
    for await (const m of stream) messages.push(m)
    const audio = messages.filter((m): m is tts.SnippetAudioChunk => m.type === 'audio')
    expect(audio.length).toBeGreaterThanOrEqual(1)
    expect(audio[0]).toMatchObject({ audioFormat: 'wav', chunkIndex: 0, generationId: expect.any(String) as string })
    expect(audio.at(-1)!.isLastChunk).toBe(true)
    const wav = concat(audio.map((a) => decodeBase64(a.audio)))
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF')
    expect(rms(parseWav(wav).samples)).toBeGreaterThan(0.02)
    const words = messages.flatMap((m) => (m.type === 'timestamp' ? [m.timestamp.text] : []))
    expect(words).toEqual(['One', 'small', 'step', 'Then', 'another'])
  })

  it('synthesizeJsonStreaming: toReadableStream() gives the same messages; cancelling it stops the server', async () => {
    const stream = await client.tts.synthesizeJsonStreaming({
      utterances: [{ text: 'Hello there.', voice: ACTOR }],
      format: { type: 'pcm' },
    })
    const reader = stream.toReadableStream().getReader()
    const got: tts.TtsOutput[] = []
    for (let r = await reader.read(); !r.done; r = await reader.read()) got.push(r.value)
    expect(got.some((m) => m.type === 'audio' && decodeBase64(m.audio).length > 0)).toBe(true)

    const long = 'A long sentence that takes a while to say out loud, and then some more words. '.repeat(60)
    const since = ended.length
    const big = await client.tts.synthesizeJsonStreaming({
      utterances: [0, 1, 2].map(() => ({ text: long, voice: ACTOR })),
      format: { type: 'pcm' },
    })
    const bigReader = big.toReadableStream().getReader()
    expect((await bigReader.read()).done).toBe(false)
    await bigReader.cancel()
    const path = '/v0/tts/stream/json'
    const cut = () => ended.slice(since).filter((e) => e.path === path && !e.finished)
    await expect.poll(() => cut().length, { timeout: 10_000 }).toBe(1)
  })

  it('422 with the validation body, from every synthesis method, before any stream starts', async () => {
    const bad = { utterances: [] } as tts.PostedTts
    const calls = [
      () => client.tts.synthesizeJson(bad),
      () => client.tts.synthesizeFile(bad),
      () => client.tts.synthesizeFileStreaming(bad),
      () => client.tts.synthesizeJsonStreaming(bad),
    ]
    for (const call of calls) {
      const e = await errorOf(call())
      expect(e).toBeInstanceOf(UnprocessableEntityError)
      expect(e.statusCode).toBe(422)
      const body = e.body as { detail: { loc: string[]; msg: string }[] }
      expect(body.detail[0]!.loc).toEqual(['body', 'utterances'])
    }
    const speed = await errorOf(client.tts.synthesizeJson({ utterances: [{ text: 'Hi.', speed: 9 }] }))
    expect(speed.statusCode).toBe(422)
    expect((speed.body as { detail: { loc: string[] }[] }).detail[0]!.loc).toEqual(['body', 'utterances', 0, 'speed'])
  })

  it('a wrong key: 401 UnauthorizedError', async () => {
    const wrong = h.clientAs('alice', { apiKey: 'not-a-key' })
    const e = await errorOf(wrong.tts.synthesizeFile({ utterances: [{ text: 'Hi.' }] }))
    expect(e).toBeInstanceOf(UnauthorizedError)
    expect(e.statusCode).toBe(401)
  })
})
