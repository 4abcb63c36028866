/**
 * Leave-one-speaker-out evaluation with hyper-parameters chosen by an inner leave-one-speaker-out loop on the
 * training speakers only, so the reported recall never saw its test speaker, not even to pick λ.
 * Used by scripts/train-prosody.ts; the metric helpers are also used by the evaluation test.
 */
import { argmax, fitStandardizer, softmaxScores, standardize, trainLogistic } from './classifier.js'
import type { LinearModel, Standardizer } from './classifier.js'

export interface Dataset {
  /** Raw (unstandardised) feature vectors. */
  features: Float32Array[]
  featureNames: readonly string[]
  labels: number[]
  speakers: string[]
  classes: number
}

export interface Config {
  lambda: number
  /** `egemaps`: the eGeMAPS-style block only; `extended`: plus the `x_` MFCC and dynamics block. */
  featureSet: 'egemaps' | 'extended'
}

export interface Fitted {
  config: Config
  columns: number[]
  standardizer: Standardizer
  model: LinearModel
}

export function columnsFor(names: readonly string[], set: Config['featureSet']): number[] {
  return names.flatMap((n, i) => (set === 'extended' || !n.startsWith('x_') ? [i] : []))
}

export function fit(data: Dataset, rows: number[], config: Config, init?: LinearModel): Fitted {
  const columns = columnsFor(data.featureNames, config.featureSet)
  const raw = rows.map((r) => columns.map((c) => data.features[r]![c]!))
  const standardizer = fitStandardizer(raw)
  const x = raw.map((v) => standardize(standardizer, v))
  const model = trainLogistic(
    x,
    rows.map((r) => data.labels[r]!),
    data.classes,
    { lambda: config.lambda },
    init,
  )
  return { config, columns, standardizer, model }
}

export function predictRow(f: Fitted, features: ArrayLike<number>): number[] {
  return softmaxScores(
    f.model,
    standardize(
      f.standardizer,
      f.columns.map((c) => features[c]!),
    ),
  )
}

/**
 * Pooled LOSO predictions over `rows` for every config. Configs sharing a feature set are fitted along a
 * decreasing-λ path with warm starts (same optimum, far fewer iterations).
 */
export function losoPredictions(data: Dataset, rows: number[], configs: Config[]): Map<Config, Int32Array> {
  const out = new Map(configs.map((c) => [c, new Int32Array(data.features.length).fill(-1)]))
  const speakers = [...new Set(rows.map((r) => data.speakers[r]!))].sort()
  const paths = groupPaths(configs)
  for (const heldOut of speakers) {
    const train = rows.filter((r) => data.speakers[r] !== heldOut)
    const test = rows.filter((r) => data.speakers[r] === heldOut)
    for (const path of paths) {
      let init: LinearModel | undefined
      for (const config of path) {
        const f = fit(data, train, config, init)
        init = f.model
        const preds = out.get(config)!
        for (const r of test) preds[r] = argmax(predictRow(f, data.features[r]!))
      }
    }
  }
  return out
}

/** The config with the best pooled inner-LOSO UAR on `rows` (ties: the stronger regularisation, listed first). */
export function chooseConfig(data: Dataset, rows: number[], configs: Config[]): { config: Config; uar: number } {
  const preds = losoPredictions(data, rows, configs)
  let best = { config: configs[0]!, uar: -1 }
  for (const c of configs) {
    const u = uar(confusion(rows, data.labels, preds.get(c)!, data.classes))
    if (u > best.uar + 1e-12) best = { config: c, uar: u }
  }
  return best
}

export interface NestedResult {
  predictions: Int32Array
  chosen: { speaker: string; config: Config; innerUar: number }[]
}

export function nestedLoso(data: Dataset, configs: Config[], onFold?: (speaker: string) => void): NestedResult {
  const all = data.labels.map((_, i) => i)
  const predictions = new Int32Array(all.length).fill(-1)
  const chosen: NestedResult['chosen'] = []
  for (const speaker of [...new Set(data.speakers)].sort()) {
    onFold?.(speaker)
    const train = all.filter((r) => data.speakers[r] !== speaker)
    const { config, uar: innerUar } = chooseConfig(data, train, configs)
    chosen.push({ speaker, config, innerUar })
    const f = fit(data, train, config)
    for (const r of all) if (data.speakers[r] === speaker) predictions[r] = argmax(predictRow(f, data.features[r]!))
  }
  return { predictions, chosen }
}

/** confusion[true][predicted] over `rows`. */
export function confusion(rows: number[], labels: number[], preds: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0))
  for (const r of rows) m[labels[r]!]![preds[r]!]!++
  return m
}

export function recalls(m: number[][]): number[] {
  return m.map((row, k) => {
    const n = row.reduce((a, b) => a + b, 0)
    return n ? row[k]! / n : 0
  })
}

/** Unweighted average recall over the classes that occur. */
export function uar(m: number[][]): number {
  const present = m.flatMap((row, k) => (row.some((v) => v > 0) ? [recalls(m)[k]!] : []))
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : 0
}

function groupPaths(configs: Config[]): Config[][] {
  const sets = new Map<string, Config[]>()
  for (const c of configs) sets.set(c.featureSet, [...(sets.get(c.featureSet) ?? []), c])
  return [...sets.values()].map((p) => p.sort((a, b) => b.lambda - a.lambda))
}
