/**
 * Runtime for the committed GoEmotions text classifier: an embedding-bag
 * network (sparse word n-gram and character n-gram features -> optional ReLU
 * hidden layer -> one sigmoid per GoEmotions label). Weights are int8 with one float scale per row so the
 * committed JSON stays small; training evaluates the quantised model, so the
 * reported metrics are those of what ships.
 */
import { readFileSync } from 'node:fs'
import { charGrams, featurize } from './text-features.js'

export interface QuantMatrix {
  rows: number
  cols: number
  /** One dequantisation scale per row. */
  scales: number[]
  /** base64 of rows*cols signed bytes, row-major. */
  data: string
}

export interface LanguageModelFile {
  format: 'prosodia-goemotions-v1'
  labels: string[]
  /** Word n-gram features, then (from `charStart` on) character n-gram features. */
  features: string[]
  /** Index of the first character n-gram feature; absent when the model has none. */
  charStart?: number
  hidden: number
  /** [features x (hidden||labels)] then, when hidden > 0, [hidden x labels]. */
  matrices: QuantMatrix[]
  biases: number[][]
  /** Per-label decision thresholds tuned on the dev split (reported, not used for scores). */
  thresholds: number[]
  metrics: Record<string, unknown>
}

export function quantize(values: Float32Array, rows: number, cols: number): QuantMatrix {
  const bytes = new Int8Array(rows * cols)
  const scales: number[] = []
  for (let r = 0; r < rows; r++) {
    let max = 0
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(values[r * cols + c] ?? 0))
    const scale = max === 0 ? 0 : max / 127
    scales.push(Number(scale.toPrecision(6)))
    for (let c = 0; c < cols; c++) {
      bytes[r * cols + c] = scale === 0 ? 0 : Math.round((values[r * cols + c] ?? 0) / scale)
    }
  }
  return { rows, cols, scales, data: Buffer.from(bytes.buffer).toString('base64') }
}

export function dequantize(m: QuantMatrix): Float32Array {
  const bytes = new Int8Array(Buffer.from(m.data, 'base64'))
  if (bytes.length !== m.rows * m.cols) throw new Error('language model matrix has the wrong size')
  const out = new Float32Array(m.rows * m.cols)
  for (let r = 0; r < m.rows; r++) {
    const s = m.scales[r] ?? 0
    for (let c = 0; c < m.cols; c++) out[r * m.cols + c] = (bytes[r * m.cols + c] ?? 0) * s
  }
  return out
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z))

/**
 * Input value of each present feature. Features are binary; the word group and
 * the character group are each scaled to unit L2 norm so neither drowns the
 * other (a sentence has far more character n-grams than words). Shared with
 * training so both sides compute identical inputs.
 */
export function inputScales(ids: readonly number[], charStart: number): { word: number; char: number } {
  let chars = 0
  for (const i of ids) if (i >= charStart) chars++
  const words = ids.length - chars
  return { word: words > 0 ? 1 / Math.sqrt(words) : 0, char: chars > 0 ? 1 / Math.sqrt(chars) : 0 }
}

export class LanguageModel {
  readonly labels: readonly string[]
  private readonly index = new Map<string, number>()
  private readonly first: Float32Array
  private readonly second: Float32Array | null
  private readonly width: number
  private readonly charStart: number

  constructor(readonly file: LanguageModelFile) {
    if (file.format !== 'prosodia-goemotions-v1') throw new Error(`unknown language model format ${file.format}`)
    this.labels = file.labels
    this.charStart = file.charStart ?? file.features.length
    file.features.forEach((f, i) => this.index.set(f, i))
    const [m0, m1] = file.matrices
    if (!m0) throw new Error('language model has no weights')
    this.first = dequantize(m0)
    this.width = m0.cols
    this.second = file.hidden > 0 && m1 ? dequantize(m1) : null
  }

  static fromPath(path: string): LanguageModel {
    return new LanguageModel(JSON.parse(readFileSync(path, 'utf8')) as LanguageModelFile)
  }

  /** Feature indices of a text, the model's sparse input. */
  encode(text: string): number[] {
    const ids: number[] = []
    const add = (f: string): void => {
      const i = this.index.get(f)
      if (i !== undefined) ids.push(i)
    }
    for (const f of featurize(text)) add(f)
    if (this.charStart < this.file.features.length) for (const f of charGrams(text)) add(f)
    return ids
  }

  /** Probability per GoEmotions label, in `labels` order. */
  predict(text: string): Float32Array {
    return this.predictIds(this.encode(text))
  }

  predictIds(ids: readonly number[]): Float32Array {
    const w = this.width
    const b0 = this.file.biases[0] ?? []
    const acc = new Float32Array(w)
    for (let c = 0; c < w; c++) acc[c] = b0[c] ?? 0
    // Inputs are binary features, each group scaled to unit L2 norm, as in training.
    const scale = inputScales(ids, this.charStart)
    for (const i of ids) {
      const x = i < this.charStart ? scale.word : scale.char
      const off = i * w
      for (let c = 0; c < w; c++) acc[c]! += x * this.first[off + c]!
    }
    const nLabels = this.labels.length
    const out = new Float32Array(nLabels)
    if (!this.second) {
      for (let l = 0; l < nLabels; l++) out[l] = sigmoid(acc[l]!)
      return out
    }
    const b1 = this.file.biases[1] ?? []
    for (let l = 0; l < nLabels; l++) out[l] = b1[l] ?? 0
    for (let h = 0; h < w; h++) {
      const a = acc[h]!
      if (a <= 0) continue
      const off = h * nLabels
      for (let l = 0; l < nLabels; l++) out[l]! += a * this.second[off + l]!
    }
    for (let l = 0; l < nLabels; l++) out[l] = sigmoid(out[l]!)
    return out
  }
}
