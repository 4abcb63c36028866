// The audio-in half of an EVI chat on real speech: every client audio format a chat accepts
// (linear16 at any rate and channel count, WAV, browser WebM/Opus, Safari MP4, Ogg) decoded as it
// streams in, then turns found by the real Silero VAD with a config's turn_detection/interruption.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAudioInput, type AudioInputLimits } from '../../../src/domains/evi/chat/turns/audio-input.js'
import { endOfTurnLikely } from '../../../src/domains/evi/chat/turns/end-of-turn.js'
import { createTurnDetector } from '../../../src/domains/evi/chat/turns/turn-detector.js'
import { HUME_TURN_DEFAULTS, turnSettings } from '../../../src/domains/evi/chat/turns/turn-settings.js'
import {
  AudioInputError,
  type AudioInputFormat,
  type TurnEvent,
  type TurnSettings,
} from '../../../src/domains/evi/chat/turns/turns.types.js'
import { SileroVad } from '../../../src/domains/expression/prosody/vad.js'
import { createTestApp, type TestApp } from '../../helpers/app.js'
import { dialects } from '../../helpers/dialects.js'
import { client } from '../../helpers/http.js'
import { tempDir } from '../../helpers/temp.js'
import { clientAudio, CLIPS, clip16k, pieces, similarity, type ClientAudio } from './turns-fixtures.js'

type End = Extract<TurnEvent, { type: 'end' }>

let vad: SileroVad
let audio: ClientAudio
/** Where Silero's own offline segmentation puts the sentence in `audio.reference` (ms). */
let speech: { begin: number; end: number }

beforeAll(async () => {
  vad = await SileroVad.load()
  audio = clientAudio()
  const [seg, ...more] = await vad.speechSegments(audio.reference, { minSilenceMs: 300 })
  expect(more).toEqual([])
  speech = { begin: seg!.begin * 1000, end: seg!.end * 1000 }
})
afterAll(() => vad?.release())

interface RunOptions {
  settings?: Partial<TurnSettings>
  limits?: AudioInputLimits
  maxTurnSeconds?: number
  ffmpeg?: string
  /** Decoded samples to wait for when decoding is asynchronous (ffmpeg). */
  expectSamples?: number
}

/**
 * Client messages through the audio input and the turn detector, as a chat session wires them. A
 * number among the messages is a pause of that many ms between them.
 */
async function run(format: AudioInputFormat, messages: (Uint8Array | number)[], opts: RunOptions = {}) {
  const det = createTurnDetector(
    vad,
    { ...HUME_TURN_DEFAULTS, ...opts.settings },
    { maxTurnSeconds: opts.maxTurnSeconds ?? 60 },
  )
  const decoded: Float32Array[] = []
  const pushes: Promise<TurnEvent[]>[] = []
  const errors: Error[] = []
  const thrown: unknown[] = []
  const input = createAudioInput(format, {
    onPcm: (pcm) => {
      decoded.push(pcm)
      pushes.push(det.push(pcm))
    },
    onError: (err) => errors.push(err),
    ffmpeg: opts.ffmpeg ?? 'ffmpeg',
    ...(opts.limits && { limits: opts.limits }),
  })
  for (const m of messages) {
    if (typeof m === 'number') {
      await sleep(m)
      continue
    }
    try {
      input.write(m)
    } catch (err) {
      thrown.push(err)
    }
  }
  const total = () => decoded.reduce((n, d) => n + d.length, 0)
  if (opts.expectSamples) {
    const deadline = Date.now() + 20_000
    while (total() < opts.expectSamples && !errors.length && !thrown.length && Date.now() < deadline) await sleep(20)
  }
  const events = (await Promise.all(pushes)).flat()
  input.close()
  await det.close()
  const pcm = new Float32Array(total())
  let at = 0
  for (const d of decoded) {
    pcm.set(d, at)
    at += d.length
  }
  return { pcm, events, errors, thrown, ends: events.filter((e): e is End => e.type === 'end'), det }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Exactly one turn, starting prefix_padding_ms before the speech and ending just after it. */
function expectOneTurnAroundSpeech(ends: End[]): void {
  expect(ends).toHaveLength(1)
  const [turn] = ends
  expect(Math.abs(turn!.beginMs - (speech.begin - 300))).toBeLessThan(120)
  expect(Math.abs(turn!.endMs - speech.end)).toBeLessThan(200)
  expect(turn!.early).toBe(false)
  expect(turn!.audio.length).toBe(Math.round((turn!.endMs - turn!.beginMs) * 16))
}

/** 16 kHz mono float → s16le bytes, as an SDK client sends linear16. */
function s16(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 2)
  const v = new DataView(out.buffer)
  for (let i = 0; i < x.length; i++)
    v.setInt16(i * 2, Math.max(-32768, Math.min(32767, Math.round(x[i]! * 32767))), true)
  return out
}

const silence = (ms: number) => new Float32Array(ms * 16)
const join16 = (...parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** A clip's speech only (Silero's segment), to build conversations from. */
async function speechOf(file: string): Promise<Float32Array> {
  const x = clip16k(file)
  const [seg] = await vad.speechSegments(x, { minSilenceMs: 300 })
  return x.subarray(Math.floor(seg!.begin * 16_000), Math.ceil(seg!.end * 16_000))
}

describe('EVI audio in', () => {
  it('linear16 at 48 kHz stereo in odd-sized messages: the 16 kHz mono signal, one turn around the speech', async () => {
    // 20 ms messages of 48 kHz stereo are 3840 bytes; odd sizes split samples and frames.
    const sizes = [3841, 3839, 1, 7, 3840 * 5 + 3]
    const messages: Uint8Array[] = []
    for (let at = 0, k = 0; at < audio.stereo48.length; k++) {
      const n = sizes[k % sizes.length]!
      messages.push(audio.stereo48.subarray(at, at + n))
      at += n
    }
    const r = await run({ encoding: 'linear16', sampleRate: 48_000, channels: 2 }, messages)
    expect(r.errors).toEqual([])
    // Left + (−0.5 × left) over two channels: a quarter of the original level.
    expect(similarity(r.pcm, audio.reference, 4)).toBeGreaterThan(0.99)
    expect(Math.abs(r.pcm.length - audio.reference.length)).toBeLessThan(100)
    expectOneTurnAroundSpeech(r.ends)
  })

  it('linear16 at 16 kHz mono without session settings', async () => {
    const r = await run({}, pieces(audio.mono16, 50))
    expect(similarity(r.pcm, audio.reference, 4)).toBeGreaterThan(0.99)
    expectOneTurnAroundSpeech(r.ends)
  })

  it('a WAV stream: its header wins over the session settings', async () => {
    const r = await run({ encoding: 'linear16', sampleRate: 8_000, channels: 1 }, pieces(audio.wav44, 43))
    expect(r.errors).toEqual([])
    expect(similarity(r.pcm, audio.reference, 8)).toBeGreaterThan(0.98)
    expectOneTurnAroundSpeech(r.ends)
  })

  it('browser WebM/Opus sent in 100 ms pieces decodes in-process as it arrives', async () => {
    const seconds = audio.reference.length / 16_000
    // The decoder's WebAssembly starts asynchronously; messages meanwhile are queued, not lost.
    const r = await run({}, pieces(audio.webm, Math.round(seconds * 10)), {
      expectSamples: audio.reference.length - 16 * 120,
    })
    expect(r.errors).toEqual([])
    expect(r.thrown).toEqual([])
    expect(Math.abs(r.pcm.length - audio.reference.length)).toBeLessThan(16 * 120)
    expect(similarity(r.pcm, audio.reference)).toBeGreaterThan(0.9)
    expectOneTurnAroundSpeech(r.ends)
  })

  for (const kind of ['ogg', 'mp4'] as const) {
    it(`${kind === 'mp4' ? "Safari's fragmented MP4/AAC" : 'Ogg/Opus'} decodes through one ffmpeg child per chat`, async () => {
      const seconds = audio.reference.length / 16_000
      const r = await run({}, pieces(audio[kind], Math.round(seconds * 10)), {
        expectSamples: audio.reference.length - 16 * 300,
      })
      expect(r.errors).toEqual([])
      expect(r.pcm.length).toBeGreaterThan(audio.reference.length - 16 * 300)
      expect(similarity(r.pcm, audio.reference)).toBeGreaterThan(0.9)
      expectOneTurnAroundSpeech(r.ends)
    })
  }

  it('kills the ffmpeg child when the chat closes', async () => {
    const children = () => {
      try {
        return execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      } catch {
        return '' // ps exits 1 when there are no children
      }
    }
    const input = createAudioInput({}, { onPcm: () => {}, onError: () => {}, ffmpeg: 'ffmpeg' })
    input.write(audio.ogg.subarray(0, 2000))
    await sleep(200)
    expect(children()).toContain('ffmpeg')
    input.close()
    const deadline = Date.now() + 5000
    while (children().includes('ffmpeg') && Date.now() < deadline) await sleep(50)
    expect(children()).not.toContain('ffmpeg')
  })

  it('answers a missing ffmpeg with a clear slug', async () => {
    const missing = join(tempDir('prosodia-noffmpeg-'), 'ffmpeg')
    const r = await run({}, pieces(audio.ogg, 5), { ffmpeg: missing, expectSamples: 1 })
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toBeInstanceOf(AudioInputError)
    expect(r.errors[0]).toMatchObject({ slug: 'no_ffmpeg', message: expect.stringContaining('apt install ffmpeg') })
  })

  it('refuses garbage behind a container signature and survives garbage without one', async () => {
    const noise = new Uint8Array(64 * 1024).map((_, i) => (i * 7919 + 13) & 0xff)
    const ebml = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, ...noise])
    const webm = await run({}, pieces(ebml, 32), { expectSamples: 1 })
    const failures = [...webm.thrown, ...webm.errors]
    expect(failures.length).toBeGreaterThan(0)
    expect(failures[0]).toMatchObject({ name: 'AudioInputError', slug: 'audio_decode_failed' })
    expect(webm.pcm.length).toBe(0)

    // A real WebM header, then garbage where the clusters should be: refused once the bound is passed.
    const header = audio.webm.subarray(0, 200)
    const broken = new Uint8Array([...header, ...noise, ...noise, ...noise, ...noise])
    const bounded = await run({}, pieces(broken, 64), { expectSamples: 1, limits: { maxPendingBytes: 128 * 1024 } })
    expect([...bounded.thrown, ...bounded.errors][0]).toMatchObject({ slug: 'audio_decode_failed' })

    const oggs = new Uint8Array([...new TextEncoder().encode('OggS'), ...noise])
    const ogg = await run({}, pieces(oggs, 16), { expectSamples: 1 })
    expect(ogg.errors).toHaveLength(1)
    expect(ogg.errors[0]).toMatchObject({ slug: 'audio_decode_failed' })

    // No signature: raw linear16 by definition. Loud noise, decoded and scored without a failure.
    const raw = await run({}, pieces(noise, 16))
    expect(raw.errors).toEqual([])
    expect(raw.thrown).toEqual([])
    expect(raw.pcm.length).toBe(noise.length / 2)
  })

  it('a restarted recorder (a new WebM header) starts a fresh decoder', async () => {
    const half = pieces(audio.webm, 10).slice(0, 5)
    const r = await run({}, [...half, 200, ...pieces(audio.webm, 30)], {
      expectSamples: audio.reference.length + 16_000,
    })
    expect(r.errors).toEqual([])
    expect(r.thrown).toEqual([])
    expect(r.pcm.length).toBeGreaterThan(audio.reference.length)
  })
})

describe('EVI turn detection on real speech', () => {
  it('two utterances apart by a long silence are two turns; a short gap keeps one', async () => {
    const a = await speechOf(CLIPS[0].file)
    const b = await speechOf(CLIPS[1].file)
    const far = await run({}, [s16(join16(silence(500), a, silence(2000), b, silence(1500)))])
    expect(far.ends).toHaveLength(2)
    expect(far.ends[1]!.beginMs).toBeGreaterThanOrEqual(far.ends[0]!.endMs)
    const near = await run({}, [s16(join16(silence(500), a, silence(350), b, silence(1500)))])
    expect(near.ends).toHaveLength(1)
    expect(near.events.map((e) => e.type)).toContain('resume')
  })

  it('min_interruption_ms: sustained speech after that much speech, never in a shorter utterance', async () => {
    const bytes = [s16(audio.reference)]
    const at = (events: TurnEvent[]) => events.find((e) => e.type === 'sustained_speech')
    const quick = at((await run({}, bytes, { settings: { minInterruptionMs: 200 } })).events)!
    const normal = at((await run({}, bytes)).events)!
    expect(quick.atMs - speech.begin).toBeGreaterThanOrEqual(200)
    expect(quick.atMs - speech.begin).toBeLessThan(400)
    expect(normal.atMs - quick.atMs).toBeGreaterThanOrEqual(500)
    // The sentence has under 2 s of speech.
    expect(at((await run({}, bytes, { settings: { minInterruptionMs: 2000 } })).events)).toBeUndefined()
  })

  it('speech_detection_threshold: a higher threshold starts speech later and ends it sooner', async () => {
    const bytes = [s16(audio.reference)]
    const turns = await Promise.all(
      [0.1, 0.5, 0.95].map(async (t) => {
        const r = await run({}, bytes, { settings: { speechDetectionThreshold: t } })
        expect(r.ends).toHaveLength(1)
        return { start: r.events.find((e) => e.type === 'speech_start')!.atMs, end: r.ends[0]!.endMs }
      }),
    )
    expect(turns[0]!.start).toBeLessThan(turns[1]!.start)
    expect(turns[1]!.start).toBeLessThan(turns[2]!.start)
    expect(turns[0]!.end).toBeGreaterThan(turns[2]!.end)
  })

  it('ends the turn at the first pause when the words and the falling pitch say the user is done', async () => {
    const r = await run({}, [s16(audio.reference)])
    const pause = r.events.find((e): e is Extract<TurnEvent, { type: 'pause' }> => e.type === 'pause')!
    expect(pause.atMs - speech.end).toBeLessThan(400)
    expect(endOfTurnLikely(pause.audio, CLIPS[0].text)).toBe(true)
    expect(endOfTurnLikely(pause.audio, 'Kids are talking by the')).toBe(false)

    // Live: stop at the pause, decide, end now; the silence that follows ends nothing more.
    const det = createTurnDetector(vad, HUME_TURN_DEFAULTS, { maxTurnSeconds: 60 })
    const cut = Math.round(pause.atMs * 16)
    const first = await det.push(audio.reference.subarray(0, cut))
    const live = first.find((e) => e.type === 'pause') as Extract<TurnEvent, { type: 'pause' }>
    expect(live).toBeDefined()
    const end = det.endNow()!
    expect(end.early).toBe(true)
    expect(Buffer.from(end.audio.buffer).equals(Buffer.from(live.audio.buffer))).toBe(true)
    // The early end saves end_of_turn_silence_ms − PAUSE_MS of waiting.
    expect(HUME_TURN_DEFAULTS.endOfTurnSilenceMs - (pause.atMs - speech.end)).toBeGreaterThan(400)
    expect(await det.push(audio.reference.subarray(cut))).toEqual([])
    await det.close()
  })

  it('cuts a turn longer than the limit', async () => {
    const talk = join16(...(await Promise.all(CLIPS.slice(0, 4).map((c) => speechOf(c.file)))))
    const r = await run({}, [s16(join16(silence(300), talk, silence(1500)))], { maxTurnSeconds: 5 })
    expect(r.ends.length).toBeGreaterThanOrEqual(2)
    const [first, second] = r.ends
    expect(first!.endMs - first!.beginMs).toBeLessThanOrEqual(5000)
    expect(first!.endMs - first!.beginMs).toBeGreaterThan(4900)
    expect(second!.beginMs).toBeGreaterThanOrEqual(first!.endMs)
    for (const t of r.ends) expect(t.audio.length).toBeLessThanOrEqual(5 * 16_000)
  })
})

describe.each(dialects())('turn settings from a stored config on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect, { domains: ['evi'] })
  })
  afterAll(() => t?.close())

  it("fills Hume's defaults in and applies what the config sets", async () => {
    const api = client(t)
    const plain = await api.post('/v0/evi/configs', { name: 'Plain', evi_version: '3' })
    expect(plain.status).toBe(201)
    expect(turnSettings((await api.get(`/v0/evi/configs/${plain.body.id}/version/0`)).body)).toEqual({
      endOfTurnSilenceMs: 800,
      prefixPaddingMs: 300,
      speechDetectionThreshold: 0.5,
      minInterruptionMs: 800,
    })

    const patient = await api.post('/v0/evi/configs', {
      name: 'Patient',
      evi_version: '3',
      turn_detection: { end_of_turn_silence_ms: 2000, prefix_padding_ms: 100 },
      interruption: { min_interruption_ms: 200 },
    })
    const settings = turnSettings((await api.get(`/v0/evi/configs/${patient.body.id}/version/0`)).body)
    expect(settings).toEqual({
      endOfTurnSilenceMs: 2000,
      prefixPaddingMs: 100,
      speechDetectionThreshold: 0.5,
      minInterruptionMs: 200,
    })

    // A 1.2 s pause between two sentences: a new turn by default, the same turn for the patient config.
    const a = await speechOf(CLIPS[0].file)
    const b = await speechOf(CLIPS[2].file)
    const bytes = [s16(join16(silence(500), a, silence(1200), b, silence(2500)))]
    expect((await run({}, bytes)).ends).toHaveLength(2)
    const r = await run({}, bytes, { settings })
    expect(r.ends).toHaveLength(1)
    expect(Math.abs(r.ends[0]!.beginMs - (500 - 100))).toBeLessThan(150)
  })
})
