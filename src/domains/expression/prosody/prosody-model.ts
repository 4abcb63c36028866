/**
 * Runtime for the committed speech-emotion classifier (`models/prosody-emodb.json`): eGeMAPS-style features
 * -> standardisation -> multinomial logistic regression over EmoDB's seven classes -> Hume names.
 * Plain data and arithmetic, so each worker thread can hold its own instance; no native code.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { softmaxScores, standardize } from './classifier.js'
import type { LinearModel, Standardizer } from './classifier.js'
import { EMODB_TO_HUME } from './emotion-map.js'
import type { EmodbClass } from './emotion-map.js'
import { extractFeatures, FEATURE_NAMES } from './features.js'

/** The committed weights, resolved relative to this file so tsx, tests and workers all find them. */
export const PROSODY_MODEL_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../models/prosody-emodb.json')

export interface ProsodyModelFile {
  format: 'prosodia-prosody-v1'
  version: number
  classes: EmodbClass[]
  /** The features the model reads, by name (a subset of FEATURE_NAMES, in model column order). */
  featureNames: string[]
  standardizer: Standardizer
  model: LinearModel
  hyperparameters: Record<string, unknown>
  metrics: Record<string, unknown>
}

export interface EmotionScore {
  name: string
  score: number
}

export class ProsodyModel {
  private readonly columns: number[]

  constructor(readonly file: ProsodyModelFile) {
    if (file.format !== 'prosodia-prosody-v1') throw new Error(`unsupported prosody model format ${file.format}`)
    this.columns = file.featureNames.map((n) => {
      const i = FEATURE_NAMES.indexOf(n)
      if (i < 0) throw new Error(`prosody model needs feature "${n}", which this build does not compute`)
      return i
    })
    if (file.model.weights.length !== file.classes.length) throw new Error('prosody model: class count mismatch')
  }

  static fromPath(path: string = PROSODY_MODEL_PATH): ProsodyModel {
    return new ProsodyModel(JSON.parse(readFileSync(path, 'utf8')) as ProsodyModelFile)
  }

  get classes(): readonly EmodbClass[] {
    return this.file.classes
  }

  /** Probabilities of all EmoDB classes (neutral included) for a full feature vector from `extractFeatures`. */
  classProbabilities(features: ArrayLike<number>): number[] {
    const x = standardize(
      this.file.standardizer,
      this.columns.map((c) => features[c]!),
    )
    return softmaxScores(this.file.model, x)
  }

  /**
   * Hume emotion scores for a stretch of 16 kHz mono speech. Scores are the class probabilities; the neutral
   * class is not reported, so the scores sum to 1 − P(neutral), not to 1 (renormalising would turn a calm
   * utterance into a confident emotion). Any length works, down to an empty array.
   */
  predict(pcm16k: Float32Array): EmotionScore[] {
    return this.scoresFromProbabilities(this.classProbabilities(extractFeatures(pcm16k)))
  }

  scoresFromProbabilities(probs: number[]): EmotionScore[] {
    return this.file.classes.flatMap((c, k) => {
      const name = EMODB_TO_HUME[c]
      return name ? [{ name, score: probs[k]! }] : []
    })
  }
}

let cached: ProsodyModel | undefined

/** The committed model, parsed once per thread (each worker thread has its own module instance). */
export function loadProsodyModel(): ProsodyModel {
  cached ??= ProsodyModel.fromPath(PROSODY_MODEL_PATH)
  return cached
}

/** sha256 of predicted class indices (files in sorted name order), as stored in the model file's metrics. */
export function predictionChecksum(predictions: number[]): string {
  return createHash('sha256').update(predictions.join(',')).digest('hex')
}
