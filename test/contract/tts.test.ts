import { request } from 'node:http'
import { Readable } from 'node:stream'
import { HumeError, serialization } from 'hume'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, listen } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { drain, startSdkHarness, type SdkHarness } from '../helpers/sdk.js'
import { parseMp3, parseWav, pcm16, rms } from '../helpers/tts-audio.js'
import { expectWire, type Exchange, type WireSchema } from '../helpers/wire.js'

const tts = serialization.tts as unknown as Record<string, WireSchema>
const SENTENCE = 'Beauty is no quality in things themselves: it exists merely in the mind which contemplates them.'
const ACTOR = { name: 'Male English Actor', provider: 'HUME_AI' } as const

/** Reads an SDK BinaryResponse (or any byte stream) to the end. */
async function bytes(body: unknown): Promise<Buffer> {
  const b = body as { stream?: () => ReadableStream<Uint8Array> } | Readable
  const s = 'stream' in b && typeof b.stream === 'function' ? b.stream() : b
  const parts: Buffer[] = []
  for await (const c of s as AsyncIterable<Uint8Array>) parts.push(Buffer.from(c))
  return Buffer.concat(parts)
}

/** Strictly parses every JSON body the SDK received with hume/serialization's TTS schemas. */
function checkWire(exchanges: Exchange[]): void {
  for (const e of exchanges) {
    if (!e.contentType.includes('json') || e.text === '') continue
    const label = `${e.method} ${e.path} ${e.status}`
    if (e.status === 422) expectWire(tts.HttpValidationError!, JSON.parse(e.text), label)
    else if (e.path === '/v0/tts') expectWire(tts.ReturnTts!, JSON.parse(e.text), label)
    else if (e.path === '/v0/tts/stream/json')
      for (const line of e.text.trim().split('\n')) expectWire(tts.TtsOutput!, JSON.parse(line), label)
    else if (e.path === '/v0/tts/voices' && e.method === 'GET')
      expectWire(tts.ReturnPagedVoices!, JSON.parse(e.text), label)
    else if (e.path === '/v0/tts/voices' && e.method === 'POST') expectWire(tts.ReturnVoice!, JSON.parse(e.text), label)
  }
}

describe.each(dialects())('hume SDK: tts on %s', (dialect) => {
  let h: SdkHarness
  const spec = async (id: string) =>
    (await h.t.db.kysely.selectFrom('tts_generations').select('spec').where('id', '=', id).executeTakeFirstOrThrow())
      .spec
  beforeAll(async () => {
    h = await startSdkHarness(dialect)
  })
  afterAll(() => h.t.close())
  afterEach(() => checkWire(h.take()))

  it('synthesizeJson: the Fern example (context utterances, mp3) returns decodable, non-silent speech', async () => {
    const r = await h.client.tts.synthesizeJson({
      context: {
        utterances: [
          {
            text: 'How can people see beauty so differently?',
            description: 'A curious student with a clear and respectful tone.',
          },
        ],
      },
      format: { type: 'mp3' },
      numGenerations: 1,
      utterances: [
        {
          text: SENTENCE,
          description: 'Middle-aged masculine voice with a clear, rhythmic Scots lilt, warm and steady.',
        },
      ],
    })
    const g = r.generations[0]!
    expect(g.encoding).toEqual({ format: 'mp3', sampleRate: 16000 })
    const mp3 = parseMp3(Buffer.from(g.audio, 'base64'))
    expect(Math.abs(mp3.durationS - g.duration)).toBeLessThan(0.2)
    expect(g.duration).toBeGreaterThan(3)
    expect(g.duration).toBeLessThan(12)
    expect(g.snippets[0]![0]).toMatchObject({ utteranceIndex: 0, generationId: g.generationId })
  })

  it('numGenerations 3 without a voice draws three distinct voice specs; context reuses one', async () => {
    const r = await h.client.tts.synthesizeJson({
      utterances: [{ text: 'Hello there.', description: 'a cheerful young woman' }],
      numGenerations: 3,
      format: { type: 'pcm' },
    })
    const ids = r.generations.map((g) => g.generationId)
    expect(new Set(ids).size).toBe(3)
    const specs = await Promise.all(ids.map(spec))
    expect(new Set(specs).size).toBe(3)
    for (const s of specs) expect(JSON.parse(s)).toMatchObject({ flite: 'slt' })
    const again = await h.client.tts.synthesizeJson({
      utterances: [{ text: 'Again.' }],
      context: { generationId: ids[1]! },
      format: { type: 'pcm' },
    })
    expect(await spec(again.generations[0]!.generationId)).toBe(specs[1])
  })

  it('synthesizeFile (wav) and synthesizeFileStreaming (pcm) give the same samples for a preset voice', async () => {
    const file = await bytes(
      await h.client.tts.synthesizeFile({ utterances: [{ text: SENTENCE, voice: ACTOR }], format: { type: 'wav' } }),
    )
    const wav = parseWav(file)
    expect(wav.declaredBytes).toBe(wav.samples.length * 2)
    expect(rms(wav.samples)).toBeGreaterThan(0.02)
    const json = await h.client.tts.synthesizeJson({
      utterances: [{ text: SENTENCE, voice: ACTOR }],
      format: { type: 'pcm' },
    })
    const streamed = await bytes(
      await h.client.tts.synthesizeFileStreaming({
        utterances: [{ text: SENTENCE, voice: ACTOR }],
        format: { type: 'pcm' },
      }),
    )
    // PCM length matches the duration the JSON route reports for the same voice and text.
    expect(streamed.length / 2 / 16000).toBeCloseTo(json.generations[0]!.duration, 2)
    expect(wav.samples.length).toBe(streamed.length / 2)
  })

  it('synthesizeJsonStreaming: chunks, timestamps, strip_headers', async () => {
    const chunks = []
    const stream = await h.client.tts.synthesizeJsonStreaming({
      utterances: [{ text: 'One small step. Then another, and another.', voice: ACTOR }],
      format: { type: 'wav' },
      stripHeaders: true,
      includeTimestampTypes: ['word'],
    })
    for await (const c of stream) chunks.push(c)
    const audio = chunks.filter((c) => c.type === 'audio')
    const words = chunks.filter((c) => c.type === 'timestamp')
    expect(words.map((w) => (w.type === 'timestamp' ? w.timestamp.text : ''))).toEqual([
      'One',
      'small',
      'step',
      'Then',
      'another',
      'and',
      'another',
    ])
    // strip_headers: one RIFF header at the start, the rest raw PCM; together one WAV.
    const parts = audio.map((a) => Buffer.from(a.type === 'audio' ? a.audio : '', 'base64'))
    expect(parts[0]!.toString('ascii', 0, 4)).toBe('RIFF')
    for (const p of parts.slice(1)) expect(p.toString('ascii', 0, 4)).not.toBe('RIFF')
    expect(rms(parseWav(Buffer.concat(parts)).samples)).toBeGreaterThan(0.02)

    const separate = await h.client.tts.synthesizeJsonStreaming({
      utterances: [{ text: 'One small step. Then another.', voice: ACTOR }],
      format: { type: 'wav' },
    })
    for await (const c of separate)
      if (c.type === 'audio') expect(parseWav(Buffer.from(c.audio, 'base64')).samples.length).toBeGreaterThan(0)
  })

  it('voices: presets list through the pager, custom voices save, resolve, list and delete', async () => {
    const presets = await drain(await h.client.tts.voices.list({ provider: 'HUME_AI' }))
    expect(presets.length).toBeGreaterThanOrEqual(12)
    expect(presets.map((v) => v.name)).toContain('Male English Actor')
    const r = await h.client.tts.synthesizeJson({
      utterances: [{ text: 'Save me.', description: 'a gravelly old pirate' }],
    })
    const saved = await h.client.tts.voices.create({ generationId: r.generations[0]!.generationId, name: 'Pirate' })
    expect(saved).toMatchObject({ name: 'Pirate', provider: 'CUSTOM_VOICE' })
    const byId = await h.client.tts.synthesizeJson({ utterances: [{ text: 'Arr.', voice: { id: saved.id } }] })
    expect(await spec(byId.generations[0]!.generationId)).toBe(await spec(r.generations[0]!.generationId))
    const mine = await drain(await h.client.tts.voices.list({ provider: 'CUSTOM_VOICE' }))
    expect(mine.map((v) => v.name)).toEqual(['Pirate'])
    await h.client.tts.voices.delete({ name: 'Pirate' })
    expect(await drain(await h.client.tts.voices.list({ provider: 'CUSTOM_VOICE' }))).toEqual([])
  })

  it('every option is accepted: split_utterances, speed, trailing_silence, version 2, instant_mode, temperature', async () => {
    const r = await h.client.tts.synthesizeJson({
      utterances: [{ text: 'A first sentence. A second.', voice: ACTOR, speed: 1.5, trailingSilence: 0.5 }],
      splitUtterances: false,
      version: '2',
      temperature: 0.5,
      format: { type: 'pcm' },
      includeTimestampTypes: ['phoneme'],
    })
    const g = r.generations[0]!
    expect(g.snippets[0]).toHaveLength(1)
    expect(g.snippets[0]![0]!.timestamps.every((t) => t.type === 'phoneme')).toBe(true)
    const tail = pcm16(Buffer.from(g.audio, 'base64')).slice(-8000)
    expect(rms(tail)).toBe(0)
    const instant = await h.client.tts.synthesizeFileStreaming({
      utterances: [{ text: 'Quick.', voice: ACTOR }],
      instantMode: true,
      format: { type: 'mp3' },
    })
    expect(parseMp3(await bytes(instant)).frames).toBeGreaterThan(5)
  })

  const rejects = async (call: () => Promise<unknown>, loc: (string | number)[]) => {
    const err = await call().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(HumeError)
    const e = err as HumeError
    expect(e.statusCode).toBe(422)
    expect((e.body as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc)).toContainEqual(loc)
  }

  it('bad input answers 422 naming the field, never 5xx', async () => {
    const s = h.client.tts
    await rejects(() => s.synthesizeJson({ utterances: [{ text: '   ' }] }), ['body', 'utterances', 0, 'text'])
    await rejects(
      () => s.synthesizeJson({ utterances: [{ text: 'x'.repeat(5001) }] }),
      ['body', 'utterances', 0, 'text'],
    )
    await rejects(
      () => s.synthesizeJson({ utterances: Array.from({ length: 51 }, () => ({ text: 'hi' })) }),
      ['body', 'utterances'],
    )
    await rejects(() => s.synthesizeJson({ utterances: [] }), ['body', 'utterances'])
    await rejects(
      () => s.synthesizeJson({ utterances: [{ text: 'hi', voice: { name: 'Nobody', provider: 'HUME_AI' } }] }),
      ['body', 'utterances', 0, 'voice'],
    )
    await rejects(
      () => s.synthesizeFile({ utterances: [{ text: 'hi', speed: 3 }] }),
      ['body', 'utterances', 0, 'speed'],
    )
    await rejects(
      () => s.synthesizeJson({ utterances: [{ text: 'hi' }], numGenerations: 6 }),
      ['body', 'num_generations'],
    )
    await rejects(
      () => s.synthesizeJson({ utterances: [{ text: 'hi', voice: ACTOR }], instantMode: true }),
      ['body', 'instant_mode'],
    )
    await rejects(
      () => s.synthesizeFileStreaming({ utterances: [{ text: 'hi' }], instantMode: true }),
      ['body', 'utterances', 0, 'voice'],
    )
    await rejects(
      () =>
        s.synthesizeFileStreaming({ utterances: [{ text: 'hi', voice: ACTOR }], instantMode: true, numGenerations: 2 }),
      ['body', 'num_generations'],
    )
    await rejects(() => s.synthesizeJson({ utterances: [{ text: 'hi' }], version: '2' }), ['body', 'version'])
    await rejects(
      () =>
        s.synthesizeJson({
          utterances: [{ text: 'hi' }],
          context: { generationId: '00000000-0000-0000-0000-000000000000' },
        }),
      ['body', 'context', 'generation_id'],
    )
    await rejects(() => s.voices.create({ generationId: 'missing', name: 'X' }), ['body', 'generation_id'])
    // The SDK refuses an unknown format client-side, so this one goes over plain fetch.
    const raw = await h.fetchAs('/v0/tts', {
      method: 'POST',
      body: JSON.stringify({ utterances: [{ text: 'hi' }], format: { type: 'ogg' } }),
    })
    expect(raw.status).toBe(422)
    expect(((await raw.json()) as { detail: { loc: unknown[] }[] }).detail[0]!.loc.slice(0, 2)).toEqual([
      'body',
      'format',
    ])
  })

  it('a client that disconnects mid-stream stops synthesis in its worker thread', async () => {
    // The fake engine holds every chunk after the first until the gate opens, which this test never
    // does: the render can only end because the disconnect cancelled it, not by running to the end.
    const gate = new SharedArrayBuffer(4)
    const stats = new SharedArrayBuffer(12)
    const counts = new Int32Array(stats)
    const g = await createTestApp(dialect, { domains: ['tts'], runtime: { engine: { name: 'fake', gate, stats } } })
    try {
      const base = new URL(await listen(g.app))
      const text = Array.from({ length: 60 }, (_, i) => `This is sentence number ${i + 1}, spoken slowly.`).join(' ')
      // A raw socket the test destroys itself: undici (behind the SDK) keeps an aborted connection
      // half-open in this process, which would also keep app.close() waiting.
      await new Promise<void>((resolve, reject) => {
        const req = request(
          {
            host: base.hostname,
            port: base.port,
            path: '/v0/tts/stream/file',
            method: 'POST',
            headers: { ...g.auth(), 'content-type': 'application/json' },
          },
          (res) => {
            expect(res.statusCode).toBe(200)
            res.once('data', () => {
              req.destroy()
              resolve()
            })
          },
        )
        req.on('error', reject)
        req.end(JSON.stringify({ utterances: [{ text, voice: ACTOR }], format: { type: 'pcm' } }))
      })
      // Wait until the render has ended (the engine's finally); without cancellation it never would.
      while (Atomics.load(counts, 1) === 0) await new Promise((r) => setTimeout(r, 10))
      // 60 sentences are 120 clause chunks; only the first was allowed through.
      expect(Atomics.load(counts, 0)).toBe(1)
    } finally {
      await g.close()
    }
  })

  it('streamInput socket: text in pieces, flush and close; audio and timestamps out', async () => {
    const socket = await h.client.tts.streamInput.connect({
      formatType: 'pcm',
      includeTimestampTypes: ['word'],
      noBinary: true,
    })
    const messages: unknown[] = []
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
    socket.on('message', (m) => messages.push(m))
    await socket.waitForOpen()
    socket.sendPublish({ text: 'Hello from ', voice: ACTOR })
    socket.sendPublish({ text: 'the socket. And a second' })
    socket.sendPublish({ text: ' sentence', flush: true })
    socket.sendPublish({ close: true })
    await closed
    const audio = messages.filter(
      (m): m is { type: 'audio'; audio: string; generationId: string } => (m as { type: string }).type === 'audio',
    )
    const words = messages
      .filter((m) => (m as { type: string }).type === 'timestamp')
      .map((m) => (m as { timestamp: { text: string } }).timestamp.text)
    expect(words).toEqual(['Hello', 'from', 'the', 'socket', 'And', 'a', 'second', 'sentence'])
    expect(rms(pcm16(Buffer.concat(audio.map((a) => Buffer.from(a.audio, 'base64')))))).toBeGreaterThan(0.02)
    // Both batches (the complete sentence, then the flushed rest) keep one voice.
    const gens = [...new Set(audio.map((a) => a.generationId))]
    expect(gens).toHaveLength(2)
    expect(await spec(gens[1]!)).toBe(await spec(gens[0]!))
  })
})
