// Payload analysis with fake models: the audio window carried between payloads
// (stream_window_ms), the choice of models per kind of input, warnings when nothing is found,
// and the strict base64 and face-identity helpers.
import { describe, expect, it } from 'vitest'
import { encodeWav16 } from '../../../shared/asr/wav.js'
import { analyzePayload, type AnalyzeInput, type StreamContext, type StreamEngines } from './stream.analyze.js'
import { decodeBase64 } from './stream.decode.js'
import { assignFace, noKnownFaces } from './stream.identity.js'

const RATE = 16_000

/** A 16-bit mono WAV of `seconds` at `level` (0 = silence), base64. */
const wav = (seconds: number, level: number): string =>
  encodeWav16(new Float32Array(Math.round(seconds * RATE)).fill(level), RATE).toString('base64')

const unused = () => {
  throw new Error('not used in this test')
}

/** Loud samples are "speech"; the prosody fake scores a clip by its length, so windows can be measured. */
const engines: StreamEngines = {
  language: unused,
  face: unused,
  decodeImage: unused,
  videoFrames: unused,
  videoAudio: unused,
  resolveKind: unused,
  tmpDir: '/nonexistent',
  prosody: async () => ({ predict: (pcm) => [{ name: 'Calmness', score: pcm.length / RATE }] }),
  vad: async () => ({
    speechSegments: async (pcm) => {
      const out: { begin: number; end: number }[] = []
      let start = -1
      for (let i = 0; i <= pcm.length; i++) {
        const loud = i < pcm.length && Math.abs(pcm[i]!) > 0.1
        if (loud && start < 0) start = i
        if (!loud && start >= 0) {
          out.push({ begin: start / RATE, end: i / RATE })
          start = -1
        }
      }
      return out
    },
  }),
  decodeAudio: async (bytes) => {
    const n = (bytes.length - 44) / 2
    return Float32Array.from({ length: n }, (_, i) => bytes.readInt16LE(44 + i * 2) / 32767)
  },
}

const signal = new AbortController().signal
const input = (data: string, windowMs: number, context: AnalyzeInput['context']): AnalyzeInput => ({
  data,
  rawText: false,
  sel: { prosody: {} },
  windowMs,
  context,
})
const fresh = (): StreamContext => ({ audio: new Float32Array(0), faces: noKnownFaces() })

describe('stream payload analysis', () => {
  it('prepends earlier audio up to stream_window_ms, measuring times from the window start', async () => {
    const first = await analyzePayload(input(wav(1, 0.5), 5000, fresh()), engines, signal)
    expect(first.outcome).toEqual({
      kind: 'predictions',
      models: {
        prosody: { predictions: [{ time: { begin: 0, end: 1 }, emotions: [{ name: 'Calmness', score: 1 }] }] },
      },
    })
    // 0.5 s of silence after it: a 5 s window still holds the speech before it.
    const second = await analyzePayload(input(wav(0.5, 0), 5000, first.context), engines, signal)
    expect(second.outcome).toMatchObject({
      kind: 'predictions',
      models: { prosody: { predictions: [{ time: { end: 1 } }] } },
    })
    // Hume's example: a 600 ms window after two 500 ms payloads keeps 100 ms of the first.
    const a = await analyzePayload(input(wav(0.5, 0.5), 600, fresh()), engines, signal)
    const b = await analyzePayload(input(wav(0.5, 0.5), 600, a.context), engines, signal)
    expect(b.outcome).toMatchObject({ models: { prosody: { predictions: [{ time: { begin: 0, end: 0.6 } }] } } })
  })

  it('warns W0105 when the window holds no speech, and keeps at most 10 s of audio', async () => {
    const first = await analyzePayload(input(wav(1, 0.5), 5000, fresh()), engines, signal)
    const narrow = await analyzePayload(input(wav(0.5, 0), 500, first.context), engines, signal)
    expect(narrow.outcome).toEqual({ kind: 'warning', code: 'W0105', warning: 'No speech detected.' })
    let ctx = fresh()
    for (let i = 0; i < 4; i++) ctx = (await analyzePayload(input(wav(4, 0.5), 10_000, ctx), engines, signal)).context
    expect(ctx.audio.length).toBe(10 * RATE)
  })

  it('answers E0102 when no configured model applies to the input, and E0201 for data that is not base64', async () => {
    const img = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]).toString('base64')
    const outcome = async (data: string, sel: AnalyzeInput['sel'], rawText = false) =>
      (await analyzePayload({ data, rawText, sel, windowMs: 5000, context: fresh() }, engines, signal)).outcome
    expect(await outcome(img, { prosody: {} })).toMatchObject({ kind: 'error', code: 'E0102' })
    expect(await outcome('some words', { prosody: {} }, true)).toMatchObject({ kind: 'error', code: 'E0102' })
    expect(await outcome('%%%', { prosody: {} })).toMatchObject({ kind: 'error', code: 'E0201' })
    expect(
      await outcome(wav(6, 0), { face: { probThreshold: 0.99, minFaceSize: 60, identifyFaces: false, fpsPred: 3 } }),
    ).toMatchObject({
      kind: 'error',
      code: 'E0102',
    })
  })
})

describe('base64 and face identities', () => {
  it('accepts standard, URL-safe, unpadded and data-URL base64 and refuses anything else', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 1, 2])
    expect(decodeBase64(bytes.toString('base64'))).toEqual(bytes)
    expect(decodeBase64(bytes.toString('base64url'))).toEqual(bytes)
    expect(decodeBase64(`data:image/png;base64,${bytes.toString('base64')}`)).toEqual(bytes)
    expect(() => decodeBase64('not base64!')).toThrow(/base64/)
    expect(() => decodeBase64('abcde')).toThrow(/base64/)
  })

  it('gives the same id to near descriptors and a new one to a distant face', () => {
    const known = noKnownFaces()
    const a = new Float32Array(128).fill(0.1)
    const near = a.map((v, i) => v + (i === 0 ? 0.05 : 0))
    const far = new Float32Array(128).fill(-0.1)
    expect([assignFace(known, a), assignFace(known, near), assignFace(known, far), assignFace(known, a)]).toEqual([
      'face_0',
      'face_0',
      'face_1',
      'face_0',
    ])
  })
})
