import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { decodeRun, writeSyntheticKokoro } from '../helpers/kokoro-synthetic.js'
import { parseMp3, parseWav, pcm16, rms } from '../helpers/tts-audio.js'
import { tempDir } from '../helpers/temp.js'

const SENTENCE = 'The quick brown fox jumps over the lazy dog.'

describe.each(dialects())('tts routes on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect)
  })
  afterAll(() => t.close())

  const post = (url: string, body: unknown, who: 'alice' | 'bob' = 'alice') =>
    t.app.inject({ method: 'POST', url, payload: body as object, headers: t.auth(who) })

  it('synthesizes JSON with WAV audio that decodes, is not silent and lasts about as long as the text needs', async () => {
    const r = await post('/v0/tts', {
      utterances: [{ text: SENTENCE, description: 'a calm woman' }],
      format: { type: 'wav' },
    })
    expect(r.statusCode).toBe(200)
    expect(r.headers['x-prosodia-tts-engine']).toBe('flite')
    const body = r.json()
    expect(body.request_id).toBe(r.headers['x-request-id'])
    const g = body.generations[0]
    const wav = parseWav(Buffer.from(g.audio, 'base64'))
    expect(wav).toMatchObject({ sampleRate: 16000, channels: 1, bitsPerSample: 16 })
    expect(g.encoding).toEqual({ format: 'wav', sample_rate: 16000 })
    expect(g.file_size).toBe(Buffer.from(g.audio, 'base64').length)
    expect(wav.samples.length / 16000).toBeCloseTo(g.duration, 3)
    // ~9 words: between 1.5 and 6 seconds of speech at a normal pace.
    expect(g.duration).toBeGreaterThan(1.5)
    expect(g.duration).toBeLessThan(6)
    expect(rms(wav.samples)).toBeGreaterThan(0.02)
    expect(g.snippets).toHaveLength(1)
    expect(g.snippets[0][0]).toMatchObject({
      text: SENTENCE,
      utterance_index: 0,
      generation_id: g.generation_id,
      timestamps: [],
    })
  })

  it('encodes MP3 frames whose duration matches, at the engine sample rate', async () => {
    const r = await post('/v0/tts', { utterances: [{ text: SENTENCE }], format: { type: 'mp3' } })
    const g = r.json().generations[0]
    const mp3 = parseMp3(Buffer.from(g.audio, 'base64'))
    expect(mp3.sampleRate).toBe(16000)
    // LAME adds encoder delay and padding: at most a few frames.
    expect(Math.abs(mp3.durationS - g.duration)).toBeLessThan(0.2)
  })

  it('speaks faster at speed 2 and appends trailing silence', async () => {
    const dur = async (u: object) =>
      (
        await post('/v0/tts', {
          utterances: [{ text: SENTENCE, voice: { name: 'Kora', provider: 'HUME_AI' }, ...u }],
          format: { type: 'pcm' },
        })
      ).json().generations[0].duration as number
    const normal = await dur({})
    const fast = await dur({ speed: 2 })
    const padded = await dur({ trailing_silence: 1.5 })
    expect(fast).toBeLessThan(normal * 0.7)
    expect(padded - normal).toBeCloseTo(1.5, 1)
  })

  it('splits utterances into sentence snippets unless split_utterances is false', async () => {
    const text = 'First sentence here. Second one follows! And a third?'
    const split = (await post('/v0/tts', { utterances: [{ text }, { text: 'Another utterance.' }] })).json()
      .generations[0]
    expect(split.snippets.map((s: unknown[]) => s.length)).toEqual([3, 1])
    expect(split.snippets[1][0].utterance_index).toBe(1)
    const whole = (await post('/v0/tts', { utterances: [{ text }], split_utterances: false })).json().generations[0]
    expect(whole.snippets[0]).toHaveLength(1)
    expect(whole.snippets[0][0].text).toBe(text)
  })

  it('streams newline-delimited JSON audio and timestamp messages', async () => {
    const r = await post('/v0/tts/stream/json', {
      utterances: [
        { text: 'Hello there, my good friend. How are you today?', voice: { name: 'Ava Song', provider: 'HUME_AI' } },
      ],
      format: { type: 'pcm' },
      include_timestamp_types: ['word', 'phoneme'],
    })
    expect(r.statusCode).toBe(200)
    const lines = r.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const audio = lines.filter((l) => l.type === 'audio')
    const words = lines.filter((l) => l.type === 'timestamp' && l.timestamp.type === 'word').map((l) => l.timestamp)
    // instant mode (a voice, one generation): clause-sized chunks, more than one per snippet.
    expect(audio.length).toBeGreaterThan(2)
    expect(audio.filter((a) => a.is_last_chunk)).toHaveLength(2)
    expect(words.map((w) => w.text)).toEqual(['Hello', 'there', 'my', 'good', 'friend', 'How', 'are', 'you', 'today'])
    for (let i = 1; i < words.length; i++) expect(words[i].time.begin).toBeGreaterThanOrEqual(words[i - 1].time.end - 1)
    expect(lines.some((l) => l.type === 'timestamp' && l.timestamp.type === 'phoneme')).toBe(true)
  })

  it('streams one WAV file over /v0/tts/stream/file', async () => {
    const r = await post('/v0/tts/stream/file', { utterances: [{ text: SENTENCE }], format: { type: 'wav' } })
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toBe('audio/wav')
    const wav = parseWav(r.rawPayload)
    expect(wav.declaredBytes).toBe(0xffffffff)
    expect(rms(wav.samples)).toBeGreaterThan(0.02)
  })

  it('reuses a generation voice through context and saves, resolves, lists and deletes it', async () => {
    const first = (
      await post('/v0/tts', { utterances: [{ text: 'Hi.', description: 'an old man with a deep voice' }] })
    ).json().generations[0]
    const again = await post('/v0/tts', {
      utterances: [{ text: 'Hi again.' }],
      context: { generation_id: first.generation_id },
    })
    expect(again.statusCode).toBe(200)
    const spec = async (id: string) =>
      (await t.db.kysely.selectFrom('tts_generations').select('spec').where('id', '=', id).executeTakeFirstOrThrow())
        .spec
    expect(await spec(again.json().generations[0].generation_id)).toBe(await spec(first.generation_id))

    const saved = await post('/v0/tts/voices', { generation_id: first.generation_id, name: 'Grandpa' })
    expect(saved.statusCode).toBe(200)
    expect(saved.json()).toMatchObject({ name: 'Grandpa', provider: 'CUSTOM_VOICE' })
    const named = (await post('/v0/tts', { utterances: [{ text: 'Yes.', voice: { name: 'Grandpa' } }] })).json()
      .generations[0]
    expect(await spec(named.generation_id)).toBe(await spec(first.generation_id))
    // Bob cannot see alice's voice.
    expect(
      (await post('/v0/tts', { utterances: [{ text: 'Yes.', voice: { name: 'Grandpa' } }] }, 'bob')).statusCode,
    ).toBe(422)

    const list = await t.app.inject({ method: 'GET', url: '/v0/tts/voices?provider=CUSTOM_VOICE', headers: t.auth() })
    expect(list.json().voices_page.map((v: { name: string }) => v.name)).toEqual(['Grandpa'])
    const del = await t.app.inject({ method: 'DELETE', url: '/v0/tts/voices?name=Grandpa', headers: t.auth() })
    expect(del.statusCode).toBe(200)
    expect((await post('/v0/tts', { utterances: [{ text: 'Yes.', voice: { name: 'Grandpa' } }] })).statusCode).toBe(422)
  })

  it('lists at least 12 HUME_AI presets across pages', async () => {
    const p0 = (
      await t.app.inject({ method: 'GET', url: '/v0/tts/voices?provider=HUME_AI&page_size=10', headers: t.auth() })
    ).json()
    const p1 = (
      await t.app.inject({
        method: 'GET',
        url: '/v0/tts/voices?provider=HUME_AI&page_size=10&page_number=1',
        headers: t.auth(),
      })
    ).json()
    expect(p0.total_pages).toBe(2)
    expect(p0.voices_page.length + p1.voices_page.length).toBeGreaterThanOrEqual(12)
  })
})

// The same routes when the server finds Kokoro weights: a generated model with Kokoro's
// interface (see helpers/kokoro-synthetic.ts) whose waveform echoes what it was fed.
describe.each(dialects())('tts routes on the Kokoro engine (synthetic model) on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    const modelsDir = tempDir('prosodia-kokoro-')
    writeSyntheticKokoro(modelsDir)
    t = await createTestApp(dialect, { config: { modelsDir } })
  })
  afterAll(() => t.close())

  const post = (url: string, body: unknown) =>
    t.app.inject({ method: 'POST', url, payload: body as object, headers: t.auth() })
  const KORA = { name: 'Kora', provider: 'HUME_AI' } as const

  it('says so in /healthz and in x-prosodia-tts-engine, and encodes at 24 kHz', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/healthz' })
    expect(health.json().tts).toEqual({ engine: 'kokoro', sample_rate: 24000 })
    const r = await post('/v0/tts', { utterances: [{ text: SENTENCE, voice: KORA }], format: { type: 'wav' } })
    expect(r.statusCode).toBe(200)
    expect(r.headers['x-prosodia-tts-engine']).toBe('kokoro')
    const g = r.json().generations[0]
    expect(g.encoding).toEqual({ format: 'wav', sample_rate: 24000 })
    const wav = parseWav(Buffer.from(g.audio, 'base64'))
    expect(wav.sampleRate).toBe(24000)
    expect(wav.samples.length / 24000).toBeCloseTo(g.duration, 3)
    const mp3 = await post('/v0/tts', { utterances: [{ text: SENTENCE, voice: KORA }], format: { type: 'mp3' } })
    expect(parseMp3(Buffer.from(mp3.json().generations[0].audio, 'base64')).sampleRate).toBe(24000)
  })

  it('streams the model output for each clause over /v0/tts/stream/file (pcm)', async () => {
    const r = await post('/v0/tts/stream/file', {
      utterances: [{ text: 'Hello world.', voice: KORA }],
      format: { type: 'pcm' },
    })
    expect(r.statusCode).toBe(200)
    expect(r.headers['x-prosodia-tts-engine']).toBe('kokoro')
    const run = decodeRun(pcm16(r.rawPayload))
    expect(run.ids).toEqual([0, 50, 83, 54, 156, 57, 135, 16, 65, 156, 87, 158, 54, 46, 4, 0])
    expect(run.speed).toBeCloseTo(1, 3)
  })

  it('streams JSON chunks with word timestamps from the Kokoro estimate', async () => {
    const r = await post('/v0/tts/stream/json', {
      utterances: [{ text: 'Hello there, my good friend. How are you today?', voice: KORA }],
      format: { type: 'pcm' },
      include_timestamp_types: ['word'],
    })
    const lines = r.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.filter((l) => l.type === 'audio').length).toBeGreaterThan(2)
    const words = lines.filter((l) => l.type === 'timestamp').map((l) => l.timestamp)
    expect(words.map((w) => w.text)).toEqual(['Hello', 'there', 'my', 'good', 'friend', 'How', 'are', 'you', 'today'])
    for (let i = 1; i < words.length; i++) expect(words[i].time.begin).toBeGreaterThanOrEqual(words[i - 1].time.end - 1)
  })
})
