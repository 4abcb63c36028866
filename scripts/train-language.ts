/**
 * Trains the text emotion classifier on GoEmotions (Apache-2.0) and writes the
 * committed weights. Usage: npm run train:language [-- --hidden 0 for a linear model]
 *
 * Plain TypeScript, no native deps: sparse unigram/bigram features plus
 * word-boundary character 3-5-grams feed an embedding-bag network trained with AdaGrad on a per-label sigmoid loss.
 * The epoch with the best dev macro-F1 is kept, the weights are quantised to
 * int8, per-label thresholds are tuned on dev with the quantised model, and
 * macro-F1 on the test split is measured once at the end.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { charGrams, featurize } from '../src/domains/expression/language/text-features.js'
import {
  LanguageModel,
  inputScales,
  quantize,
  type LanguageModelFile,
} from '../src/domains/expression/language/language-model.js'
import { bestThreshold, countLabels, macroF1 } from '../src/domains/expression/language/metrics.js'
import { GOEMOTIONS_TO_HUME } from '../src/domains/expression/language/emotion-map.js'

const log = pino({ name: 'train-language' })
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(root, '../shared/data/goemotions') },
    out: { type: 'string', default: resolve(root, 'src/domains/expression/models/language-goemotions.json') },
    hidden: { type: 'string', default: '64' },
    epochs: { type: 'string', default: '10' },
    lr: { type: 'string', default: '0.03' },
    l2: { type: 'string', default: '1e-6' },
    'min-df': { type: 'string', default: '2' },
    'max-features': { type: 'string', default: '30000' },
    // Character n-gram features kept (most frequent first); 0 for word features only.
    'char-features': { type: 'string', default: '20000' },
    seed: { type: 'string', default: '42' },
  },
})
const HIDDEN = Number(args.hidden)
const EPOCHS = Number(args.epochs)
const LR = Number(args.lr)
const L2 = Number(args.l2)

interface Example {
  feats: string[]
  chars: string[]
  gold: Set<number>
}

function readSplit(name: string): Example[] {
  const text = readFileSync(resolve(args.data!, 'original', `${name}.tsv`), 'utf8')
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const [t = '', labels = ''] = line.split('\t')
      return { feats: featurize(t), chars: charGrams(t), gold: new Set(labels.split(',').map(Number)) }
    })
}

// Deterministic PRNG (mulberry32) so a rerun reproduces the committed weights.
let seed = Number(args.seed) >>> 0
function rand(): number {
  seed = (seed + 0x6d2b79f5) >>> 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const t0 = Date.now()
const labels = readFileSync(resolve(args.data!, 'original', 'labels.txt'), 'utf8')
  .split('\n')
  .map((s) => s.trim())
  .filter(Boolean)
const L = labels.length
const [train, dev, test] = [readSplit('train'), readSplit('dev'), readSplit('test')]
log.info({ train: train.length, dev: dev.length, test: test.length, labels: L }, 'loaded GoEmotions')

// Vocabulary: features seen in at least min-df training texts, most frequent first;
// word features, then character n-gram features.
function vocabulary(get: (ex: Example) => string[], max: number): string[] {
  const df = new Map<string, number>()
  for (const ex of train) for (const f of get(ex)) df.set(f, (df.get(f) ?? 0) + 1)
  return [...df.entries()]
    .filter(([, n]) => n >= Number(args['min-df']))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, max)
    .map(([f]) => f)
}
const wordFeatures = vocabulary((ex) => ex.feats, Number(args['max-features']))
const charStart = wordFeatures.length
const features = [...wordFeatures, ...vocabulary((ex) => ex.chars, Number(args['char-features']))]
const index = new Map(features.map((f, i) => [f, i]))
const F = features.length
const ids = (ex: Example): number[] =>
  [...ex.feats, ...ex.chars].flatMap((f) => {
    const i = index.get(f)
    return i === undefined ? [] : [i]
  })
const trainIds = train.map(ids)
const devIds = dev.map(ids)
log.info({ features: F, charFeatures: F - charStart, hidden: HIDDEN }, 'vocabulary built')

// Parameters: W0 [F x W], optional W1 [H x L]; AdaGrad accumulators alongside.
const W = HIDDEN > 0 ? HIDDEN : L
const init = (n: number, s: number): Float32Array => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * s)
const W0 = HIDDEN > 0 ? init(F * W, 0.1) : new Float32Array(F * W)
const W1 = HIDDEN > 0 ? init(W * L, Math.sqrt(6 / (W + L))) : new Float32Array(0)
const B0 = new Float32Array(W)
const B1 = new Float32Array(L)
const [G0, G1, GB0, GB1] = [
  new Float32Array(W0.length).fill(1e-8),
  new Float32Array(W1.length).fill(1e-8),
  new Float32Array(W).fill(1e-8),
  new Float32Array(L).fill(1e-8),
]

function step(p: Float32Array, g: Float32Array, i: number, grad: number): void {
  g[i]! += grad * grad
  p[i]! -= (LR * grad) / Math.sqrt(g[i]!)
}

/** Forward pass; when `gold` is given also back-propagates one example. */
function forward(xs: number[], gold?: Set<number>): Float32Array {
  const scale = inputScales(xs, charStart)
  const x = (i: number): number => (i < charStart ? scale.word : scale.char)
  const a = Float32Array.from(B0)
  for (const i of xs) {
    const v = x(i)
    for (let c = 0; c < W; c++) a[c]! += v * W0[i * W + c]!
  }
  const probs = new Float32Array(L)
  const h = new Float32Array(HIDDEN)
  if (HIDDEN === 0) {
    for (let l = 0; l < L; l++) probs[l] = 1 / (1 + Math.exp(-a[l]!))
  } else {
    // Inverted dropout on the hidden layer while training only.
    for (let c = 0; c < W; c++) h[c] = a[c]! > 0 && (!gold || rand() >= 0.3) ? a[c]! / (gold ? 0.7 : 1) : 0
    for (let l = 0; l < L; l++) {
      let z = B1[l]!
      for (let c = 0; c < W; c++) z += h[c]! * W1[c * L + l]!
      probs[l] = 1 / (1 + Math.exp(-z))
    }
  }
  if (!gold) return probs
  const g = probs.map((p, l) => p - (gold.has(l) ? 1 : 0))
  let da = g
  if (HIDDEN > 0) {
    da = new Float32Array(W)
    for (let c = 0; c < W; c++) {
      if (h[c] === 0) continue
      let s = 0
      for (let l = 0; l < L; l++) s += W1[c * L + l]! * g[l]!
      da[c] = s / 0.7
      for (let l = 0; l < L; l++) step(W1, G1, c * L + l, h[c]! * g[l]!)
    }
    for (let l = 0; l < L; l++) step(B1, GB1, l, g[l]!)
  }
  for (let c = 0; c < W; c++) step(B0, GB0, c, da[c]!)
  for (const i of xs) {
    const v = x(i)
    for (let c = 0; c < W; c++) step(W0, G0, i * W + c, v * da[c]! + L2 * W0[i * W + c]!)
  }
  return probs
}

/** Macro-F1 on a split with thresholds tuned on that same split (dev model selection). */
function tunedThresholds(probs: ArrayLike<number>[], gold: Set<number>[]): number[] {
  return labels.map(
    (_, l) =>
      bestThreshold(
        probs.map((p) => p[l] ?? 0),
        gold.map((g) => g.has(l)),
      ).threshold,
  )
}

let best = { f1: -1, epoch: 0, W0: W0.slice(), W1: W1.slice(), B0: B0.slice(), B1: B1.slice() }
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  const order = trainIds.map((_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  for (const n of order) forward(trainIds[n]!, train[n]!.gold)
  const devProbs = devIds.map((x) => forward(x))
  const gold = dev.map((e) => e.gold)
  const f = macroF1(countLabels(devProbs, gold, tunedThresholds(devProbs, gold)))
  log.info({ epoch, devMacroF1: Number(f.toFixed(4)), seconds: (Date.now() - t0) / 1000 }, 'epoch done')
  if (f > best.f1) best = { f1: f, epoch, W0: W0.slice(), W1: W1.slice(), B0: B0.slice(), B1: B1.slice() }
}

const file: LanguageModelFile = {
  format: 'prosodia-goemotions-v1',
  labels,
  features,
  charStart,
  hidden: HIDDEN,
  matrices: HIDDEN > 0 ? [quantize(best.W0, F, W), quantize(best.W1, W, L)] : [quantize(best.W0, F, W)],
  biases: HIDDEN > 0 ? [[...best.B0], [...best.B1]] : [[...best.B0]],
  thresholds: [],
  metrics: {},
}
// Thresholds and all reported numbers come from the quantised model that ships.
const model = new LanguageModel(file)
const devGold = dev.map((e) => e.gold)
file.thresholds = tunedThresholds(
  dev.map((e) => model.predictIds(ids(e))),
  devGold,
)
const testCounts = countLabels(
  test.map((e) => model.predictIds(ids(e))),
  test.map((e) => e.gold),
  file.thresholds,
)
const mapped = labels.flatMap((l, i) => (GOEMOTIONS_TO_HUME[l] ? [i] : []))
const round = (v: number): number => Number(v.toFixed(4))
file.metrics = {
  split: 'GoEmotions original test (5,427 texts), thresholds tuned on dev',
  best_epoch: best.epoch,
  dev_macro_f1: round(
    macroF1(
      countLabels(
        dev.map((e) => model.predictIds(ids(e))),
        devGold,
        file.thresholds,
      ),
    ),
  ),
  test_macro_f1_28: round(macroF1(testCounts)),
  test_macro_f1_mapped: round(macroF1(testCounts, mapped)),
  test_f1_per_label: Object.fromEntries(labels.map((l, i) => [l, round(macroF1(testCounts, [i]))])),
  hyperparameters: {
    hidden: HIDDEN,
    epochs: EPOCHS,
    lr: LR,
    l2: L2,
    min_df: Number(args['min-df']),
    max_features: Number(args['max-features']),
    char_features: F - charStart,
    char_ngrams: '3-5',
    seed: Number(args.seed),
  },
  train_seconds: Math.round((Date.now() - t0) / 1000),
}
writeFileSync(args.out!, JSON.stringify(file) + '\n')
log.info({ out: args.out, ...file.metrics, test_f1_per_label: undefined }, 'model written')
