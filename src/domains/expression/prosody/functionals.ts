/**
 * Utterance-level statistics over frame contours, as eGeMAPS defines them (Eyben et al., 2016, §3):
 * arithmetic mean, coefficient of variation, percentiles 20/50/80 and their 20–80 range, and the mean and
 * standard deviation of the slopes of rising and falling contour parts. Every function returns a finite
 * number for empty or constant input (0), so a silent or 50 ms clip still yields a complete feature vector.
 */

export function mean(v: ArrayLike<number>): number {
  if (v.length === 0) return 0
  let s = 0
  for (let i = 0; i < v.length; i++) s += v[i]!
  return s / v.length
}

export function std(v: ArrayLike<number>): number {
  if (v.length < 2) return 0
  const m = mean(v)
  let s = 0
  for (let i = 0; i < v.length; i++) s += (v[i]! - m) ** 2
  return Math.sqrt(s / v.length)
}

/** std / |mean|, only meaningful for positive quantities; capped so a near-zero mean cannot explode it. */
export function cv(v: ArrayLike<number>): number {
  const m = Math.abs(mean(v))
  return m < 1e-9 ? 0 : Math.min(10, std(v) / m)
}

/** Linear-interpolated percentile (0–100) of unsorted values. */
export function percentile(v: ArrayLike<number>, p: number): number {
  if (v.length === 0) return 0
  const s = Float64Array.from(v).sort()
  const pos = (p / 100) * (s.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(s.length - 1, lo + 1)
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo)
}

/** Three-frame moving average within each segment (openSMILE smooths LLDs before functionals). */
export function smooth(v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(v.length)
  for (let i = 0; i < v.length; i++) {
    const lo = Math.max(0, i - 1)
    const hi = Math.min(v.length - 1, i + 1)
    let s = 0
    for (let j = lo; j <= hi; j++) s += v[j]!
    out[i] = s / (hi - lo + 1)
  }
  return out
}

export interface Slopes {
  riseMean: number
  riseStd: number
  fallMean: number
  fallStd: number
}

/**
 * Slopes (units per second) of the monotonic parts between successive local extrema of each contour segment:
 * a rise from a minimum to the next maximum, a fall from a maximum to the next minimum.
 */
export function slopes(segments: ArrayLike<number>[], hopSeconds: number): Slopes {
  const rises: number[] = []
  const falls: number[] = []
  for (const c of segments) {
    const ext: number[] = []
    for (let i = 0; i < c.length; i++) {
      const prev = i > 0 ? c[i - 1]! : undefined
      const next = i < c.length - 1 ? c[i + 1]! : undefined
      const isMax = (prev === undefined || c[i]! > prev) && (next === undefined || c[i]! >= next)
      const isMin = (prev === undefined || c[i]! < prev) && (next === undefined || c[i]! <= next)
      if ((isMax || isMin) && !(prev === undefined && next === undefined)) ext.push(i)
    }
    for (let k = 1; k < ext.length; k++) {
      const a = ext[k - 1]!
      const b = ext[k]!
      const d = c[b]! - c[a]!
      const s = d / ((b - a) * hopSeconds)
      if (d > 0) rises.push(s)
      else if (d < 0) falls.push(-s)
    }
  }
  return { riseMean: mean(rises), riseStd: std(rises), fallMean: mean(falls), fallStd: std(falls) }
}

/** Values of `v` where `mask` is set. */
export function pick(v: ArrayLike<number>, mask: ArrayLike<number>): Float64Array {
  const out: number[] = []
  for (let i = 0; i < v.length; i++) if (mask[i]) out.push(v[i]!)
  return Float64Array.from(out)
}

/** Frame-to-frame differences within each segment (the delta contour). */
export function deltas(segments: ArrayLike<number>[]): Float64Array {
  const out: number[] = []
  for (const c of segments) for (let i = 1; i < c.length; i++) out.push(c[i]! - c[i - 1]!)
  return Float64Array.from(out)
}

/** Local maxima of a contour that rise at least `prominence` above the lowest point since the previous peak. */
export function countPeaks(v: ArrayLike<number>, prominence: number): number {
  let peaks = 0
  let low = Infinity
  for (let i = 1; i < v.length - 1; i++) {
    low = Math.min(low, v[i]!)
    if (v[i]! > v[i - 1]! && v[i]! >= v[i + 1]! && v[i]! - low >= prominence) {
      peaks++
      low = Infinity
    }
  }
  return peaks
}
