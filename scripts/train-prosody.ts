/**
 * Trains the speech-emotion (prosody) classifier on EmoDB and writes the committed weights.
 * Usage: npm run train:prosody [-- --data ../shared/data --features-cache /tmp/prosody-features.json]
 *
 * 1. Every EmoDB file (535) and RAVDESS sample (8) -> 16 kHz -> Silero VAD speech span -> feature vector.
 * 2. Leave-one-speaker-out (10 folds) unweighted average recall, with λ and the feature set chosen by an
 *    inner leave-one-speaker-out loop on the 9 training speakers of each fold (nested CV).
 * 3. The same inner selection on all 10 speakers, a final fit on all 535 files, and the cross-corpus check
 *    on RAVDESS with the weights exactly as written (rounded to 6 significant digits first).
 * Deterministic: no randomness anywhere, so a rerun writes the same file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { argmax } from '../src/domains/expression/prosody/classifier.js'
import { emodbItems, ravdessItems, speechSpan } from '../src/domains/expression/prosody/corpus.js'
import type { CorpusItem } from '../src/domains/expression/prosody/corpus.js'
import {
  chooseConfig,
  confusion,
  fit,
  nestedLoso,
  recalls,
  uar,
} from '../src/domains/expression/prosody/cross-validation.js'
import type { Config, Dataset } from '../src/domains/expression/prosody/cross-validation.js'
import { EMODB_CLASSES } from '../src/domains/expression/prosody/emotion-map.js'
import { extractFeatures, FEATURE_NAMES } from '../src/domains/expression/prosody/features.js'
import { predictionChecksum, ProsodyModel } from '../src/domains/expression/prosody/prosody-model.js'
import type { ProsodyModelFile } from '../src/domains/expression/prosody/prosody-model.js'
import { SileroVad } from '../src/domains/expression/prosody/vad.js'

const log = pino({ name: 'train-prosody' })
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(root, '../shared/data') },
    out: { type: 'string', default: resolve(root, 'src/domains/expression/models/prosody-emodb.json') },
    // Optional: reuse extracted features between runs while experimenting (ignored if feature names differ).
    'features-cache': { type: 'string' },
  },
})

const LAMBDAS = [1, 0.3, 0.1, 0.03, 0.01]
const CONFIGS: Config[] = (['egemaps', 'extended'] as const).flatMap((featureSet) =>
  LAMBDAS.map((lambda) => ({ lambda, featureSet })),
)

async function featuresOf(items: CorpusItem[], vad: SileroVad): Promise<Float32Array[]> {
  const out: Float32Array[] = []
  for (const [i, item] of items.entries()) {
    out.push(extractFeatures(await speechSpan(item.file, vad)))
    if ((i + 1) % 100 === 0) log.info({ done: i + 1, of: items.length }, 'features')
  }
  return out
}

async function loadFeatures(emodb: CorpusItem[], ravdess: CorpusItem[]) {
  const cache = args['features-cache']
  if (cache && existsSync(cache)) {
    const c = JSON.parse(readFileSync(cache, 'utf8')) as { names: string[]; emodb: number[][]; ravdess: number[][] }
    if (c.names.join() === FEATURE_NAMES.join() && c.emodb.length === emodb.length) {
      return { emodb: c.emodb.map((r) => Float32Array.from(r)), ravdess: c.ravdess.map((r) => Float32Array.from(r)) }
    }
  }
  const vad = await SileroVad.load()
  const started = performance.now()
  const result = { emodb: await featuresOf(emodb, vad), ravdess: await featuresOf(ravdess, vad) }
  log.info({ seconds: Math.round((performance.now() - started) / 1000) }, 'features extracted')
  await vad.release()
  if (cache) {
    const plain = (rows: Float32Array[]) => rows.map((r) => Array.from(r))
    writeFileSync(
      cache,
      JSON.stringify({ names: FEATURE_NAMES, emodb: plain(result.emodb), ravdess: plain(result.ravdess) }),
    )
  }
  return result
}

const round = (v: number) => Number(v.toPrecision(6))
const r3 = (v: number) => Math.round(v * 1000) / 1000

async function main(): Promise<void> {
  const emodb = emodbItems(resolve(args.data!, 'emodb'))
  const ravdess = ravdessItems(resolve(args.data!, 'ravdess-samples'))
  if (emodb.length !== 535) throw new Error(`expected 535 EmoDB files, found ${emodb.length}`)
  const feats = await loadFeatures(emodb, ravdess)
  const data: Dataset = {
    features: feats.emodb,
    featureNames: FEATURE_NAMES,
    labels: emodb.map((i) => i.label),
    speakers: emodb.map((i) => i.speaker),
    classes: EMODB_CLASSES.length,
  }
  const all = data.labels.map((_, i) => i)

  const started = performance.now()
  const nested = nestedLoso(data, CONFIGS, (speaker) => log.info({ speaker }, 'outer fold'))
  const m = confusion(all, data.labels, nested.predictions, data.classes)
  const perSpeaker = Object.fromEntries(
    nested.chosen.map(({ speaker }) => {
      const rows = all.filter((r) => data.speakers[r] === speaker)
      return [speaker, r3(uar(confusion(rows, data.labels, nested.predictions, data.classes)))]
    }),
  )
  const losoUar = uar(m)
  log.info({ losoUar, seconds: Math.round((performance.now() - started) / 1000) }, 'nested LOSO done')

  const final = chooseConfig(data, all, CONFIGS)
  const fitted = fit(data, all, final.config)
  const file: ProsodyModelFile = {
    format: 'prosodia-prosody-v1',
    version: 1,
    classes: [...EMODB_CLASSES],
    featureNames: fitted.columns.map((c) => FEATURE_NAMES[c]!),
    standardizer: { mean: fitted.standardizer.mean.map(round), std: fitted.standardizer.std.map(round) },
    model: { weights: fitted.model.weights.map((w) => w.map(round)), bias: fitted.model.bias.map(round) },
    hyperparameters: { ...final.config, innerLosoUar: r3(final.uar), classWeights: 'balanced', grid: CONFIGS },
    metrics: {},
  }

  // Everything below is measured with the weights exactly as written.
  const model = new ProsodyModel(file)
  const trainPreds = data.features.map((f) => argmax(model.classProbabilities(f)))
  // One checksum per speaker, so the evaluation test can re-check a few speakers without all 535 files.
  const trainChecksums = Object.fromEntries(
    [...new Set(data.speakers)]
      .sort()
      .map((s) => [s, predictionChecksum(all.filter((r) => data.speakers[r] === s).map((r) => trainPreds[r]!))]),
  )
  const ravdessResults = ravdess.map((item, i) => {
    const probs = model.classProbabilities(feats.ravdess[i]!)
    const predicted = EMODB_CLASSES[argmax(probs)]!
    return {
      file: item.file.split('/').pop(),
      emotion: item.original,
      expected: item.label >= 0 ? EMODB_CLASSES[item.label] : null,
      predicted,
      probabilities: Object.fromEntries(EMODB_CLASSES.map((c, k) => [c, r3(probs[k]!)])),
    }
  })
  const applicable = ravdessResults.filter((r) => r.expected)
  file.metrics = {
    dataset: 'EmoDB, 535 files, 10 speakers (2.000 s crops at 22,050 Hz, VAD speech span)',
    loso_uar: r3(losoUar),
    loso_accuracy: r3(nested.predictions.filter((p, i) => p === data.labels[i]).length / all.length),
    loso_recall_per_class: Object.fromEntries(EMODB_CLASSES.map((c, k) => [c, r3(recalls(m)[k]!)])),
    loso_confusion: { rows_true_cols_predicted: EMODB_CLASSES, matrix: m },
    loso_uar_per_speaker: perSpeaker,
    loso_chosen_per_fold: nested.chosen.map((c) => ({ ...c.config, speaker: c.speaker, innerUar: r3(c.innerUar) })),
    train_accuracy: r3(trainPreds.filter((p, i) => p === data.labels[i]).length / all.length),
    train_predictions_sha256_per_speaker: trainChecksums,
    ravdess_correct: applicable.filter((r) => r.expected === r.predicted).length,
    ravdess_applicable: applicable.length,
    ravdess: ravdessResults,
  }
  writeFileSync(args.out!, JSON.stringify(file, null, 1) + '\n')
  log.info({ out: args.out, config: final.config, metrics: { ...file.metrics, ravdess: undefined } }, 'model written')
}

await main()
