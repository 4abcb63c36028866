/** Multi-label evaluation helpers used by training and by the model tests. */

export interface LabelCounts {
  tp: number
  fp: number
  fn: number
}

export function f1(c: LabelCounts): number {
  const denom = 2 * c.tp + c.fp + c.fn
  return denom === 0 ? 0 : (2 * c.tp) / denom
}

/**
 * Per-label counts for probabilities `probs[n][l]` against gold label sets.
 * A label is predicted when its probability reaches that label's threshold.
 */
export function countLabels(
  probs: ArrayLike<number>[],
  gold: ReadonlySet<number>[],
  thresholds: ArrayLike<number>,
): LabelCounts[] {
  const counts: LabelCounts[] = Array.from({ length: thresholds.length }, () => ({ tp: 0, fp: 0, fn: 0 }))
  probs.forEach((p, n) => {
    const g = gold[n] ?? new Set<number>()
    for (let l = 0; l < thresholds.length; l++) {
      const predicted = (p[l] ?? 0) >= (thresholds[l] ?? 0.5)
      const c = counts[l]!
      if (predicted && g.has(l)) c.tp++
      else if (predicted) c.fp++
      else if (g.has(l)) c.fn++
    }
  })
  return counts
}

export function macroF1(counts: LabelCounts[], labels?: readonly number[]): number {
  const idx = labels ?? counts.map((_, i) => i)
  if (idx.length === 0) return 0
  return idx.reduce((s, l) => s + f1(counts[l] ?? { tp: 0, fp: 0, fn: 0 }), 0) / idx.length
}

/**
 * The threshold maximising F1 for one label, searched over a fixed grid so
 * training is deterministic. Rare labels often want thresholds well below 0.5.
 */
export function bestThreshold(scores: number[], positives: boolean[]): { threshold: number; f1: number } {
  let best = { threshold: 0.5, f1: -1 }
  for (let t = 0.02; t < 0.95; t += 0.01) {
    const c: LabelCounts = { tp: 0, fp: 0, fn: 0 }
    scores.forEach((s, i) => {
      const pred = s >= t
      if (pred && positives[i]) c.tp++
      else if (pred) c.fp++
      else if (positives[i]) c.fn++
    })
    const score = f1(c)
    if (score > best.f1) best = { threshold: Math.round(t * 100) / 100, f1: score }
  }
  return best
}
