// Model evaluation: the committed prosody model, re-checked on data so its model card cannot drift from the
// weights. Nested leave-one-speaker-out CV takes minutes, so it is not recomputed here; instead the test
// reproduces the card's cross-corpus RAVDESS figure exactly and re-derives the training-set predictions of two
// EmoDB speakers against the checksums the training script stored. Also checks Silero VAD on real speech and
// on generated silence/noise.
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { argmax } from '../../src/domains/expression/prosody/classifier.js'
import { emodbItems, ravdessItems, speechSpan } from '../../src/domains/expression/prosody/corpus.js'
import { EMODB_CLASSES, PROSODY_HUME_EMOTIONS } from '../../src/domains/expression/prosody/emotion-map.js'
import { extractFeatures, FEATURE_NAMES } from '../../src/domains/expression/prosody/features.js'
import {
  predictionChecksum,
  PROSODY_MODEL_PATH,
  ProsodyModel,
} from '../../src/domains/expression/prosody/prosody-model.js'
import { toMono16k } from '../../src/domains/expression/prosody/resample.js'
import { SileroVad } from '../../src/domains/expression/prosody/vad.js'
import { readWavFile } from '../../src/domains/expression/prosody/wav.js'

const SHARED = resolve(import.meta.dirname, '../../../shared')
const EMODB = resolve(SHARED, 'data/emodb')
const RAVDESS = resolve(SHARED, 'data/ravdess-samples')
const SHARED_VAD = resolve(SHARED, 'models/silero-vad/silero_vad.onnx')

function need(path: string, what: string): void {
  if (!existsSync(path)) throw new Error(`${what} is missing at ${path}: install it there (see its README.md)`)
}

interface RavdessMetric {
  file: string
  expected: string | null
  predicted: string
  probabilities: Record<string, number>
}

describe('committed EmoDB prosody model', () => {
  const model = ProsodyModel.fromPath(PROSODY_MODEL_PATH)
  const metrics = model.file.metrics as {
    loso_uar: number
    loso_recall_per_class: Record<string, number>
    ravdess: RavdessMetric[]
    ravdess_correct: number
    ravdess_applicable: number
    train_predictions_sha256_per_speaker: Record<string, string>
  }
  let vad: SileroVad

  beforeAll(async () => {
    need(SHARED_VAD, 'Silero VAD (../shared/models/silero-vad)')
    vad = await SileroVad.load(SHARED_VAD)
  })
  afterAll(async () => vad?.release())

  it('is small, complete and records its evaluation', () => {
    expect(statSync(PROSODY_MODEL_PATH).size).toBeLessThan(1_000_000)
    expect(model.classes).toEqual(EMODB_CLASSES)
    expect(model.file.featureNames.every((n) => FEATURE_NAMES.includes(n))).toBe(true)
    expect(metrics.loso_uar).toBeGreaterThan(1 / 7 + 0.3) // far above chance (0.143)
    expect(Object.keys(metrics.loso_recall_per_class)).toEqual([...EMODB_CLASSES])
    expect(Object.keys(metrics.train_predictions_sha256_per_speaker)).toHaveLength(10)
  })

  it('answers Hume names for any length of audio, neutral never among them', () => {
    for (const n of [0, 400, 1600, 4000, 32_000]) {
      const pcm = Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 180 * i) / 16_000))
      const scores = model.predict(pcm)
      expect(scores.map((s) => s.name)).toEqual(PROSODY_HUME_EMOTIONS)
      expect(scores.every((s) => Number.isFinite(s.score) && s.score >= 0 && s.score <= 1)).toBe(true)
      expect(scores.reduce((a, s) => a + s.score, 0)).toBeLessThanOrEqual(1 + 1e-9)
    }
  })

  it('reproduces the cross-corpus RAVDESS figure of the model card', async () => {
    need(RAVDESS, 'RAVDESS samples (../shared/data/ravdess-samples)')
    const items = ravdessItems(RAVDESS)
    expect(items.map((i) => i.file.split('/').pop())).toEqual(metrics.ravdess.map((r) => r.file))
    let correct = 0
    for (const [i, item] of items.entries()) {
      const probs = model.classProbabilities(extractFeatures(await speechSpan(item.file, vad)))
      const recorded = metrics.ravdess[i]!
      expect(EMODB_CLASSES[argmax(probs)]).toBe(recorded.predicted)
      for (const [k, c] of EMODB_CLASSES.entries()) expect(probs[k]!).toBeCloseTo(recorded.probabilities[c]!, 2)
      if (recorded.expected === recorded.predicted) correct++
    }
    expect(correct).toBe(metrics.ravdess_correct)
    expect(items.filter((i) => i.label >= 0)).toHaveLength(metrics.ravdess_applicable)
  })

  it.each(['03', '16'])('re-derives the stored training-set predictions of EmoDB speaker %s', async (speaker) => {
    need(resolve(EMODB, 'wav'), 'EmoDB (../shared/data/emodb)')
    const items = emodbItems(EMODB).filter((i) => i.speaker === speaker)
    const preds: number[] = []
    for (const item of items) {
      preds.push(argmax(model.classProbabilities(extractFeatures(await speechSpan(item.file, vad)))))
    }
    expect(predictionChecksum(preds)).toBe(metrics.train_predictions_sha256_per_speaker[speaker])
  })

  it('VAD finds speech in every RAVDESS clip and none in silence or low noise', async () => {
    need(RAVDESS, 'RAVDESS samples (../shared/data/ravdess-samples)')
    for (const item of ravdessItems(RAVDESS)) {
      const wav = readWavFile(item.file)
      const pcm = toMono16k(wav.channels, wav.sampleRate)
      const segments = await vad.speechSegments(pcm)
      expect(segments.length, item.file).toBeGreaterThan(0)
      const speech = segments.reduce((s, g) => s + g.end - g.begin, 0)
      expect(speech).toBeGreaterThan(0.8) // every clip is a spoken sentence of ~1.5 s
      expect(segments.every((g) => g.begin >= 0 && g.end <= pcm.length / 16_000 && g.end > g.begin)).toBe(true)
    }
    let seed = 7
    const noise = Float32Array.from({ length: 32_000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return (seed / 2 ** 31 - 0.5) * 0.003 // about −60 dBFS white noise
    })
    expect(await vad.speechSegments(new Float32Array(32_000))).toEqual([])
    expect(await vad.speechSegments(noise)).toEqual([])
  })
})
