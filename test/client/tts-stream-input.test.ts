/**
 * Prosodia's client against the real server: client.tts.streamInput.connect() and its typed socket over
 * /v0/tts/stream/input (send text, flush, end; audio chunks with base64 audio; clean and refused closes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProsodiaClient, tts } from '../../src/client/index.js'
import { StreamInputSocket, decodeBase64 } from '../../src/client/resources/tts/index.js'
import { startClientHarness, type ClientHarness, collect } from '../helpers/client.js'
import { parseWav, rms } from '../helpers/tts-audio.js'

const VOICE = { name: 'Kora', provider: 'HUME_AI' } as const

describe('client: tts.streamInput', () => {
  let h: ClientHarness
  let client: ProsodiaClient
  beforeAll(async () => {
    h = await startClientHarness('sqlite', { domains: ['tts'] })
    client = h.client
  })
  afterAll(() => h.close())

  it('round trip: text in, camelCased audio chunks out, end() closes cleanly', async () => {
    const socket = await client.tts.streamInput.connect({ formatType: 'pcm' })
    expect(socket).toBeInstanceOf(StreamInputSocket)
    await socket.waitForOpen()
    expect(socket.readyState).toBe(1)
    const messages = collect(socket)
    socket.sendPublish({ text: 'Hello there. ', voice: VOICE })
    socket.sendPublish({ text: 'This is the second sentence' })
    const closed = await socket.end()
    expect(closed).toEqual({ code: 1000, reason: 'done' })

    const got = await messages
    const audio = got.filter((m): m is tts.SnippetAudioChunk => m.type === 'audio')
    // Two batches: the complete first sentence at once, the unfinished one when the input ended.
    expect(new Set(audio.map((a) => a.generationId)).size).toBe(2)
    expect(audio.map((a) => a.text)).toContain('Hello there.')
    expect(audio.map((a) => a.text)).toContain('This is the second sentence')
    expect(audio[0]).toMatchObject({
      audioFormat: 'pcm',
      chunkIndex: 0,
      isLastChunk: expect.any(Boolean) as boolean,
      snippetId: expect.any(String) as string,
      requestId: expect.any(String) as string,
    })
    const bytes = audio.reduce((n, a) => n + decodeBase64(a.audio).length, 0)
    expect(bytes).toBeGreaterThan(16000)
    expect(socket.readyState).toBe(3)
  })

  it('flush() speaks buffered text without a sentence end; audio() yields the bytes', async () => {
    const socket = await client.tts.streamInput.connect({ formatType: 'wav', stripHeaders: true })
    await socket.waitForOpen()
    const first = new Promise<tts.TtsOutput>((resolve) => {
      const off = socket.on('message', (m) => {
        off()
        resolve(m)
      })
    })
    const bytes = collect(socket.audio())
    socket.sendPublish({ text: 'no sentence end here', voice: VOICE })
    socket.flush()
    // Audio arrives while the socket is still open: flush did not wait for the end of input.
    expect((await first).type).toBe('audio')
    expect(socket.readyState).toBe(1)
    await socket.end()
    const wav = Buffer.concat((await bytes).map((b) => Buffer.from(b)))
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF')
    expect(rms(parseWav(wav).samples)).toBeGreaterThan(0.02)
  })

  it('connect args become query parameters: word timestamps and a context generation', async () => {
    const first = await client.tts.synthesizeJson({ utterances: [{ text: 'Hi.', description: 'a low, slow voice' }] })
    const socket = await client.tts.streamInput.connect({
      formatType: 'pcm',
      includeTimestampTypes: ['word'],
      contextGenerationId: first.generations[0]!.generationId,
      // Hume's instant mode needs a voice; this session has only a context, so it must be off.
      instantMode: false,
    })
    await socket.waitForOpen()
    const messages = collect(socket.audioChunks())
    const all = collect(socket)
    socket.sendPublish({ text: 'Two words.' })
    expect((await socket.end()).code).toBe(1000)
    const words = (await all).flatMap((m) => (m.type === 'timestamp' ? [m.timestamp.text] : []))
    expect(words).toEqual(['Two', 'words'])
    const chunks = await messages
    expect(chunks.length).toBeGreaterThan(0)
    expect(chunks[0]!.bytes).toEqual(decodeBase64(chunks[0]!.chunk.audio))
  })

  it('a message the server rejects closes the socket with policy 1008 and the field', async () => {
    const socket = await client.tts.streamInput.connect()
    await socket.waitForOpen()
    socket.sendPublish({ text: 'Too fast.', speed: 10 })
    const closed = await socket.closed()
    expect(closed.code).toBe(1008)
    expect(closed.reason).toContain('speed')
    expect(() => socket.flush()).toThrow(/not open/)
  })

  it('a wrong key (client-wide or per connect) is refused before opening; connect apiKey overrides', async () => {
    const wrong = h.clientAs('alice', { apiKey: 'not-a-key' })
    const refused = await wrong.tts.streamInput.connect()
    await expect(refused.waitForOpen()).rejects.toThrow(/closed before it opened/)
    const overridden = await client.tts.streamInput.connect({ apiKey: 'not-a-key' })
    await expect(overridden.waitForOpen()).rejects.toThrow(/closed before it opened/)
    // The reverse: a bad client key with a good key passed to connect() opens.
    const rescued = await wrong.tts.streamInput.connect({ apiKey: h.t.bob.api_key })
    await rescued.waitForOpen()
    rescued.close()
    expect((await rescued.closed()).code).toBe(1000)
  })
})
