/**
 * Multinomial logistic regression on standardised features, trained with L-BFGS: small enough to train
 * hundreds of times inside nested leave-one-speaker-out cross-validation in a few minutes, and it gives
 * calibrated-ish class probabilities, which is what a Hume `score` is. Classes are weighted inversely to their
 * frequency so the fit optimises the balanced (unweighted-average-recall) objective EmoDB is reported with.
 */

export interface Standardizer {
  mean: number[]
  std: number[]
}

export interface LinearModel {
  /** [classes][features] */
  weights: number[][]
  bias: number[]
}

export interface TrainOptions {
  /** L2 penalty on the weights (not the biases), per sample. */
  lambda: number
  maxIterations?: number
  /** Weight classes by n / (K·n_k) so each class contributes equally. Default true. */
  balanced?: boolean
}

export function fitStandardizer(rows: ArrayLike<number>[]): Standardizer {
  const d = rows[0]?.length ?? 0
  const mean = new Array<number>(d).fill(0)
  const std = new Array<number>(d).fill(0)
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]! / rows.length
  for (const r of rows) for (let j = 0; j < d; j++) std[j]! += (r[j]! - mean[j]!) ** 2 / rows.length
  // A constant feature gets std 1 so it standardises to 0 instead of dividing by zero.
  return { mean, std: std.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1)) }
}

export function standardize(s: Standardizer, row: ArrayLike<number>): Float64Array {
  const out = new Float64Array(s.mean.length)
  for (let j = 0; j < out.length; j++) {
    const z = (row[j]! - s.mean[j]!) / s.std[j]!
    // Clipped at ±10 sd: one absurd measurement (a clipped file, a failed pitch track) cannot dominate.
    out[j] = Number.isFinite(z) ? Math.max(-10, Math.min(10, z)) : 0
  }
  return out
}

export function softmaxScores(m: LinearModel, x: ArrayLike<number>): number[] {
  const logits = m.weights.map((w, k) => {
    let s = m.bias[k]!
    for (let j = 0; j < w.length; j++) s += w[j]! * x[j]!
    return s
  })
  const max = Math.max(...logits)
  const exps = logits.map((l) => Math.exp(l - max))
  const total = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / total)
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i
  return best
}

/** Fits on standardised rows `x` with labels `y` in 0..classes-1. `init` warm-starts (e.g. along a λ path). */
export function trainLogistic(
  x: Float64Array[],
  y: number[],
  classes: number,
  opts: TrainOptions,
  init?: LinearModel,
): LinearModel {
  const d = x[0]?.length ?? 0
  const n = x.length
  const counts = new Array<number>(classes).fill(0)
  for (const c of y) counts[c]!++
  const sampleWeight = y.map((c) => (opts.balanced === false ? 1 : n / (classes * Math.max(1, counts[c]!))))
  const dim = classes * (d + 1)
  const theta = new Float64Array(dim)
  if (init) {
    for (let k = 0; k < classes; k++) {
      theta.set(init.weights[k]!, k * (d + 1))
      theta[k * (d + 1) + d] = init.bias[k]!
    }
  }
  const probs = new Float64Array(classes)
  const objective = (t: Float64Array, grad: Float64Array): number => {
    grad.fill(0)
    let loss = 0
    for (let i = 0; i < n; i++) {
      const xi = x[i]!
      let max = -Infinity
      for (let k = 0; k < classes; k++) {
        const off = k * (d + 1)
        let s = t[off + d]!
        for (let j = 0; j < d; j++) s += t[off + j]! * xi[j]!
        probs[k] = s
        if (s > max) max = s
      }
      let total = 0
      for (let k = 0; k < classes; k++) total += probs[k] = Math.exp(probs[k]! - max)
      const w = sampleWeight[i]! / n
      loss -= w * Math.log(probs[y[i]!]! / total + 1e-300)
      for (let k = 0; k < classes; k++) {
        const g = w * (probs[k]! / total - (k === y[i] ? 1 : 0))
        const off = k * (d + 1)
        for (let j = 0; j < d; j++) grad[off + j]! += g * xi[j]!
        grad[off + d]! += g
      }
    }
    for (let k = 0; k < classes; k++) {
      const off = k * (d + 1)
      for (let j = 0; j < d; j++) {
        loss += 0.5 * opts.lambda * t[off + j]! ** 2
        grad[off + j]! += opts.lambda * t[off + j]!
      }
    }
    return loss
  }
  lbfgs(theta, objective, opts.maxIterations ?? 300)
  const weights: number[][] = []
  const bias: number[] = []
  for (let k = 0; k < classes; k++) {
    weights.push(Array.from(theta.subarray(k * (d + 1), k * (d + 1) + d)))
    bias.push(theta[k * (d + 1) + d]!)
  }
  return { weights, bias }
}

/** Limited-memory BFGS (m = 10) with a backtracking Armijo line search; minimises f in place. */
export function lbfgs(x: Float64Array, f: (x: Float64Array, g: Float64Array) => number, maxIter: number): number {
  const m = 10
  const n = x.length
  const g = new Float64Array(n)
  let fx = f(x, g)
  const s: Float64Array[] = []
  const yv: Float64Array[] = []
  const rho: number[] = []
  const dir = new Float64Array(n)
  const xNew = new Float64Array(n)
  const gNew = new Float64Array(n)
  for (let iter = 0; iter < maxIter; iter++) {
    if (Math.sqrt(dot(g, g)) < 1e-5) break
    // Two-loop recursion: dir = -H·g
    dir.set(g)
    const alpha: number[] = []
    for (let i = s.length - 1; i >= 0; i--) {
      const a = rho[i]! * dot(s[i]!, dir)
      alpha[i] = a
      axpy(-a, yv[i]!, dir)
    }
    if (s.length) {
      const last = s.length - 1
      const gamma = dot(s[last]!, yv[last]!) / dot(yv[last]!, yv[last]!)
      for (let j = 0; j < n; j++) dir[j]! *= gamma
    }
    for (let i = 0; i < s.length; i++) {
      const b = rho[i]! * dot(yv[i]!, dir)
      axpy(alpha[i]! - b, s[i]!, dir)
    }
    for (let j = 0; j < n; j++) dir[j] = -dir[j]!
    let slope = dot(g, dir)
    if (slope >= 0) {
      // Not a descent direction (curvature information went stale): restart from steepest descent.
      for (let j = 0; j < n; j++) dir[j] = -g[j]!
      slope = dot(g, dir)
      s.length = yv.length = rho.length = 0
    }
    let step = 1
    let fNew = Infinity
    for (let tries = 0; tries < 40; tries++) {
      for (let j = 0; j < n; j++) xNew[j] = x[j]! + step * dir[j]!
      fNew = f(xNew, gNew)
      if (fNew <= fx + 1e-4 * step * slope) break
      step *= 0.5
    }
    if (!(fNew < fx)) break
    const sk = new Float64Array(n)
    const yk = new Float64Array(n)
    for (let j = 0; j < n; j++) {
      sk[j] = xNew[j]! - x[j]!
      yk[j] = gNew[j]! - g[j]!
    }
    const sy = dot(sk, yk)
    if (sy > 1e-12) {
      s.push(sk)
      yv.push(yk)
      rho.push(1 / sy)
      if (s.length > m) {
        s.shift()
        yv.shift()
        rho.shift()
      }
    }
    const improvement = fx - fNew
    x.set(xNew)
    g.set(gNew)
    fx = fNew
    // Only the arg-max and rounded probabilities matter, so a 1e-8 relative improvement is converged enough.
    if (improvement < 1e-8 * Math.max(1, Math.abs(fx))) break
  }
  return fx
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!
}
