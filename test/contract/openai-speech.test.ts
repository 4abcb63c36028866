import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import OpenAI, { AuthenticationError, BadRequestError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { parseMp3, parseWav, pcm16, rms } from '../helpers/tts-audio.js'

const SENTENCE = 'Beauty is no quality in things themselves: it exists merely in the mind which contemplates them.'

/** ffprobe's idea of a file's duration (seconds), or undefined where ffprobe is not installed. */
function probeDuration(bytes: Buffer, ext: string): number | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'openai-speech-'))
  try {
    const file = path.join(dir, `a.${ext}`)
    writeFileSync(file, bytes)
    const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file])
    return Number(out.toString().trim())
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe.each(dialects())('openai SDK: POST /v1/audio/speech on %s', (dialect) => {
  let t: TestApp
  let base: string
  let alice: OpenAI
  let bob: OpenAI
  const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${base}/v1`, maxRetries: 0 })
  const body = async (r: Response) => Buffer.from(await r.arrayBuffer())
  beforeAll(async () => {
    t = await createTestApp(dialect)
    base = await listen(t.app)
    alice = client(t.alice.api_key)
    bob = client(t.bob.api_key)
  })
  afterAll(() => t.close())

  it('audio.speech.create returns a playable mp3 by default, with the engine named', async () => {
    const r = await alice.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: SENTENCE })
    expect(r.headers.get('content-type')).toBe('audio/mpeg')
    expect(r.headers.get('x-prosodia-tts-engine')).toBeTruthy()
    const bytes = await body(r)
    const mp3 = parseMp3(bytes)
    expect(mp3.frames).toBeGreaterThan(20)
    expect(mp3.durationS).toBeGreaterThan(3)
    expect(mp3.durationS).toBeLessThan(15)
    const probed = probeDuration(bytes, 'mp3')
    if (probed !== undefined) expect(Math.abs(probed - mp3.durationS)).toBeLessThan(0.2)
  })

  it('wav is RIFF at the engine rate, non-silent, and ffprobe agrees on its length', async () => {
    const r = await alice.audio.speech.create({
      model: 'gpt-4o-mini-tts',
      voice: 'onyx',
      input: SENTENCE,
      instructions: 'Speak slowly and calmly.',
      response_format: 'wav',
    })
    expect(r.headers.get('content-type')).toBe('audio/wav')
    const bytes = await body(r)
    const wav = parseWav(bytes)
    expect(wav.sampleRate).toBe(Number(r.headers.get('x-prosodia-sample-rate')))
    expect(wav.channels).toBe(1)
    expect(rms(wav.samples)).toBeGreaterThan(0.01)
    const seconds = wav.samples.length / wav.sampleRate
    const probed = probeDuration(bytes, 'wav')
    if (probed !== undefined) expect(Math.abs(probed - seconds)).toBeLessThan(0.1)
  })

  it('pcm is headerless 24 kHz s16le: as long as the same speech in wav', async () => {
    const ask = (response_format: 'wav' | 'pcm') =>
      alice.audio.speech.create({ model: 'tts-1', voice: 'nova', input: SENTENCE, response_format })
    const wav = parseWav(await body(await ask('wav')))
    const r = await ask('pcm')
    expect(r.headers.get('content-type')).toBe('audio/pcm')
    expect(r.headers.get('x-prosodia-sample-rate')).toBe('24000')
    const pcm = await body(r)
    expect(pcm.subarray(0, 4).toString('ascii')).not.toBe('RIFF')
    expect(pcm.length % 2).toBe(0)
    const pcmSeconds = pcm.length / 2 / 24000
    const wavSeconds = wav.samples.length / wav.sampleRate
    expect(Math.abs(pcmSeconds - wavSeconds) / wavSeconds).toBeLessThan(0.03)
    expect(rms(pcm16(pcm))).toBeGreaterThan(0.01)
  })

  it('speed beyond what the engine renders is clamped (and says so); faster is shorter', async () => {
    const at = (speed: number) =>
      alice.audio.speech.create({ model: 'tts-1', voice: 'echo', input: SENTENCE, response_format: 'wav', speed })
    const normal = await at(1)
    const fast = await at(4)
    expect(fast.headers.get('x-prosodia-speed')).toBe('2')
    const n = parseWav(await body(normal)).samples.length
    const f = parseWav(await body(fast)).samples.length
    expect(f).toBeLessThan(n * 0.75)
    await expect(at(5)).rejects.toMatchObject({ status: 400, param: 'speed' })
  })

  it('a wrong key is the SDK AuthenticationError; the X-Hume-Api-Key header works too', async () => {
    const wrong = client('not-a-key')
    const err = await wrong.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hi.' }).catch((e) => e)
    expect(err).toBeInstanceOf(AuthenticationError)
    expect(err).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' })
    const r = await fetch(`${base}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...t.auth() },
      body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: 'Hi.', response_format: 'wav' }),
    })
    expect(r.status).toBe(200)
    expect(parseWav(await body(r)).samples.length).toBeGreaterThan(0)
  })

  it('models.list names the speech models; a /v1 route this server lacks is a 404 for a valid key, not a 401', async () => {
    const ids = []
    for await (const model of alice.models.list()) ids.push(model.id)
    expect(ids).toContain('tts-1')
    const missing = await fetch(`${base}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${t.alice.api_key}` },
    })
    expect(missing.status).toBe(404)
    const wrong = await fetch(`${base}/v1/models`, { headers: { authorization: 'Bearer not-a-key' } })
    expect(wrong.status).toBe(401)
  })

  it('an API key as Bearer is accepted on /v1 only: Hume routes keep Bearer for access tokens', async () => {
    const r = await fetch(`${base}/v0/tts/voices?provider=HUME_AI`, {
      headers: { authorization: `Bearer ${t.alice.api_key}` },
    })
    expect(r.status).toBe(401)
  })

  it('unknown voices, bad formats and over-long or empty input are BadRequestErrors naming the field', async () => {
    const create = (over: Partial<OpenAI.Audio.SpeechCreateParams>) =>
      alice.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello.', ...over }).catch((e) => e)
    const voice = await create({ voice: 'nobody' })
    expect(voice).toBeInstanceOf(BadRequestError)
    expect(voice).toMatchObject({ param: 'voice', type: 'invalid_request_error' })
    expect(voice.message).toContain('Unknown voice "nobody"')
    const opus = await create({ response_format: 'opus' })
    expect(opus).toBeInstanceOf(BadRequestError)
    expect(opus).toMatchObject({ param: 'response_format' })
    expect(opus.message).toContain('"opus" is not supported')
    const ogg = await create({ response_format: 'ogg' as 'mp3' })
    expect(ogg.message).toContain('not one of mp3, opus, aac, flac, wav, pcm')
    const long = await create({ input: 'a'.repeat(4097) })
    expect(long).toBeInstanceOf(BadRequestError)
    expect(long).toMatchObject({ param: 'input' })
    const empty = await create({ input: '   ' })
    expect(empty).toMatchObject({ status: 400, param: 'input' })
    const stream = await create({ stream_format: 'chunks' as 'sse' })
    expect(stream).toMatchObject({ status: 400, param: 'stream_format' })
    const missing = await alice.audio.speech
      .create({ model: 'tts-1', input: 'Hello.' } as OpenAI.Audio.SpeechCreateParams)
      .catch((e) => e)
    expect(missing).toMatchObject({ status: 400, param: 'voice' })
  })

  it('streams a long input: the body arrives in several chunks while it is rendered', async () => {
    const input = Array.from({ length: 12 }, () => SENTENCE).join(' ')
    const r = await alice.audio.speech.create({ model: 'tts-1', voice: 'fable', input })
    const reader = r.body!.getReader()
    const chunks: Uint8Array[] = []
    for (let c = await reader.read(); !c.done; c = await reader.read()) chunks.push(c.value)
    expect(chunks.length).toBeGreaterThan(1)
    const mp3 = parseMp3(Buffer.concat(chunks))
    expect(mp3.durationS).toBeGreaterThan(30)
  })

  it('stream_format sse sends base64 audio deltas, then a done event with usage', async () => {
    const r = await alice.audio.speech.create({
      model: 'gpt-4o-mini-tts',
      voice: 'coral',
      input: `${SENTENCE} ${SENTENCE}`,
      stream_format: 'sse',
    })
    expect(r.headers.get('content-type')).toContain('text/event-stream')
    const events = (await r.text())
      .split('\n\n')
      .filter(Boolean)
      .map((e) => JSON.parse(e.replace(/^data: /, '')) as { type: string; audio?: string; usage?: object })
    const deltas = events.filter((e) => e.type === 'speech.audio.delta')
    expect(deltas.length).toBeGreaterThan(0)
    expect(events.at(-1)).toMatchObject({ type: 'speech.audio.done', usage: { input_tokens: SENTENCE.length * 2 + 1 } })
    const mp3 = parseMp3(Buffer.concat(deltas.map((d) => Buffer.from(d.audio!, 'base64'))))
    expect(mp3.durationS).toBeGreaterThan(5)
  })

  it('a voice saved by bob speaks for bob (by name or id) and is unknown to alice', async () => {
    const hume = (pathname: string, init: RequestInit) =>
      fetch(`${base}${pathname}`, {
        ...init,
        headers: { 'content-type': 'application/json', ...t.auth('bob') },
      }).then(async (res) => {
        expect(res.status).toBe(200)
        return res.json() as Promise<Record<string, unknown>>
      })
    const gen = await hume('/v0/tts', {
      method: 'POST',
      body: JSON.stringify({ utterances: [{ text: 'Hello.', description: 'a deep old man' }] }),
    })
    const generationId = (gen.generations as { generation_id: string }[])[0]!.generation_id
    const saved = await hume('/v0/tts/voices', {
      method: 'POST',
      body: JSON.stringify({ generation_id: generationId, name: 'Bob Private' }),
    })
    for (const voice of ['Bob Private', String(saved.id)]) {
      const r = await bob.audio.speech.create({ model: 'tts-1', voice, input: 'Mine.', response_format: 'wav' })
      expect(parseWav(await body(r)).samples.length).toBeGreaterThan(0)
      const err = await alice.audio.speech.create({ model: 'tts-1', voice, input: 'Yours?' }).catch((e) => e)
      expect(err).toBeInstanceOf(BadRequestError)
      expect(err).toMatchObject({ param: 'voice' })
    }
  })

  it('a HUME_AI preset is usable by its own name', async () => {
    const r = await alice.audio.speech.create({
      model: 'octave',
      voice: 'Scottish Storyteller',
      input: 'Och aye.',
      response_format: 'wav',
    })
    expect(rms(parseWav(await body(r)).samples)).toBeGreaterThan(0.005)
  })
})
