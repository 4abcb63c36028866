/**
 * Fundamental frequency, voicing and voice-quality measures (jitter, shimmer, HNR) for 16 kHz speech.
 *
 * F0 is YIN (de Cheveigné & Kawahara, 2002): the cumulative-mean-normalised difference function, its first
 * dip under an absolute threshold, parabolic refinement. The difference function is computed through an FFT
 * cross-correlation so a frame costs three 1,024-point transforms instead of W×τmax multiplications.
 * Jitter and shimmer are measured per glottal cycle, not per frame: within each voiced run, successive cycle
 * boundaries are found by waveform matching (the lag maximising the normalised cross-correlation of one
 * period with the next, searched at 0.8–1.2 × the YIN period) as Praat's cross-correlation method does,
 * so frame-rate quantisation cannot masquerade as period perturbation.
 */
import { fft } from './fft.js'

export const SAMPLE_RATE = 16_000
export const HOP = 160 // 10 ms
export const F0_MIN = 55
export const F0_MAX = 600
const WINDOW = 480 // 30 ms integration window: two periods at 66 Hz
const TAU_MIN = Math.floor(SAMPLE_RATE / F0_MAX)
const TAU_MAX = Math.ceil(SAMPLE_RATE / F0_MIN)
const NFFT = 1024 // >= WINDOW + TAU_MAX, so the circular correlation never wraps
const YIN_THRESHOLD = 0.15
/** Frames whose best normalised difference stays above this are aperiodic (unvoiced). */
const VOICING_THRESHOLD = 0.3

export interface PitchTrack {
  /** Hz per frame; 0 where unvoiced. */
  f0: Float64Array
  /** Harmonics-to-noise ratio (dB) per frame from the normalised autocorrelation at the period; 0 where unvoiced. */
  hnr: Float64Array
}

/** YIN over frames starting every HOP samples; `active[i]` gates out silent frames before voicing is decided. */
export function trackPitch(x: Float32Array, frames: number, active: Uint8Array): PitchTrack {
  const f0 = new Float64Array(frames)
  const hnr = new Float64Array(frames)
  const seg = new Float64Array(WINDOW + TAU_MAX)
  const prefix = new Float64Array(seg.length + 1)
  const dprime = new Float64Array(TAU_MAX + 2)
  const are = new Float64Array(NFFT)
  const aim = new Float64Array(NFFT)
  const bre = new Float64Array(NFFT)
  const bim = new Float64Array(NFFT)
  for (let f = 0; f < frames; f++) {
    if (!active[f]) continue
    const start = f * HOP
    for (let i = 0; i < seg.length; i++) seg[i] = x[start + i] ?? 0
    for (let i = 0; i < seg.length; i++) prefix[i + 1] = prefix[i]! + seg[i]! * seg[i]!
    are.fill(0)
    aim.fill(0)
    bre.fill(0)
    bim.fill(0)
    for (let i = 0; i < WINDOW; i++) are[i] = seg[i]!
    for (let i = 0; i < seg.length; i++) bre[i] = seg[i]!
    fft(are, aim)
    fft(bre, bim)
    // conj(A)·B -> cross-correlation c[τ] = Σ a[j] b[j+τ]
    for (let k = 0; k < NFFT; k++) {
      const r = are[k]! * bre[k]! + aim[k]! * bim[k]!
      const i = are[k]! * bim[k]! - aim[k]! * bre[k]!
      bre[k] = r
      bim[k] = i
    }
    fft(bre, bim, true)
    const e0 = prefix[WINDOW]!
    if (e0 <= 1e-12) continue
    let running = 0
    dprime[0] = 1
    for (let tau = 1; tau <= TAU_MAX + 1 && tau + WINDOW <= seg.length; tau++) {
      const etau = prefix[tau + WINDOW]! - prefix[tau]!
      const d = Math.max(0, e0 + etau - (2 * bre[tau]!) / NFFT)
      running += d
      dprime[tau] = running > 0 ? (d * tau) / running : 1
    }
    let best = -1
    for (let tau = TAU_MIN; tau <= TAU_MAX; tau++) {
      if (dprime[tau]! < YIN_THRESHOLD) {
        while (tau + 1 <= TAU_MAX && dprime[tau + 1]! < dprime[tau]!) tau++
        best = tau
        break
      }
    }
    if (best < 0) {
      best = TAU_MIN
      for (let tau = TAU_MIN; tau <= TAU_MAX; tau++) if (dprime[tau]! < dprime[best]!) best = tau
    }
    if (dprime[best]! > VOICING_THRESHOLD) continue
    const refined = parabolicPeak(-dprime[best - 1]!, -dprime[best]!, -dprime[best + 1]!) + best
    f0[f] = SAMPLE_RATE / refined
    const etau = prefix[best + WINDOW]! - prefix[best]!
    const r = bre[best]! / NFFT / Math.sqrt(e0 * etau + 1e-20)
    const rc = Math.min(0.9999, Math.max(1e-4, r))
    hnr[f] = 10 * Math.log10(rc / (1 - rc))
  }
  cleanTrack(f0, hnr)
  return { f0, hnr }
}

/** Offset in (-0.5, 0.5) of the vertex of the parabola through three equally spaced points. */
export function parabolicPeak(a: number, b: number, c: number): number {
  const den = a - 2 * b + c
  if (den === 0 || !Number.isFinite(den)) return 0
  const off = (0.5 * (a - c)) / den
  return Math.max(-0.5, Math.min(0.5, off))
}

/** Drops voiced runs shorter than 3 frames (clicks) and median-filters F0 inside runs (octave blips). */
function cleanTrack(f0: Float64Array, hnr: Float64Array): void {
  for (const [s, e] of runs(f0)) {
    if (e - s < 3) {
      f0.fill(0, s, e)
      hnr.fill(0, s, e)
      continue
    }
    const copy = f0.slice(s, e)
    for (let i = s; i < e; i++) {
      const w = Array.from(copy.subarray(Math.max(0, i - s - 2), Math.min(copy.length, i - s + 3))).sort(
        (a, b) => a - b,
      )
      f0[i] = w[w.length >> 1]!
    }
  }
}

/** [start, end) frame ranges where `v` is non-zero. */
export function runs(v: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = []
  let s = -1
  for (let i = 0; i <= v.length; i++) {
    const on = i < v.length && v[i] !== 0
    if (on && s < 0) s = i
    if (!on && s >= 0) {
      out.push([s, i])
      s = -1
    }
  }
  return out
}

export interface Perturbation {
  /** Relative period differences |P_i − P_{i−1}| / mean(P_i, P_{i−1}) of consecutive cycles. */
  jitter: number[]
  /** |20·log10(A_i / A_{i−1})| dB of consecutive cycles' peak-to-peak amplitudes. */
  shimmer: number[]
}

/** Cycle-by-cycle jitter and shimmer over the voiced runs of a pitch track. */
export function perturbation(x: Float32Array, f0: Float64Array): Perturbation {
  const jitter: number[] = []
  const shimmer: number[] = []
  for (const [s, e] of runs(f0)) {
    const end = Math.min(x.length, e * HOP + WINDOW)
    let period = SAMPLE_RATE / f0[s]!
    // First boundary: the largest positive sample of the first period.
    let mark = s * HOP
    for (let i = s * HOP; i < Math.min(end, s * HOP + period); i++) if (x[i]! > x[mark]!) mark = i
    let prevP = 0
    let prevA = 0
    while (true) {
      const frame = Math.min(e - 1, Math.floor(mark / HOP))
      period = SAMPLE_RATE / (f0[frame] || f0[s]!)
      const lag = matchLag(x, mark, period, end)
      if (lag <= 0) break
      const amp = peakToPeak(x, Math.round(mark), Math.round(mark + lag))
      if (prevP > 0) {
        jitter.push(Math.abs(lag - prevP) / ((lag + prevP) / 2))
        if (amp > 0 && prevA > 0) shimmer.push(Math.abs(20 * Math.log10(amp / prevA)))
      }
      prevP = lag
      prevA = amp
      mark += lag
    }
  }
  return { jitter, shimmer }
}

/** Lag in [0.8T, 1.2T] maximising the normalised correlation of x[m..m+T) with x[m+lag..), refined to sub-sample. */
function matchLag(x: Float32Array, mark: number, period: number, end: number): number {
  const m = Math.round(mark)
  const len = Math.round(period)
  const lo = Math.max(TAU_MIN, Math.floor(0.8 * period))
  const hi = Math.min(TAU_MAX, Math.ceil(1.2 * period))
  if (m + hi + len + 1 > end) return 0
  const scores = new Float64Array(hi - lo + 3)
  let best = -1
  let bestScore = -Infinity
  for (let lag = lo - 1; lag <= hi + 1; lag++) {
    let xy = 0
    let xx = 0
    let yy = 0
    for (let i = 0; i < len; i++) {
      const a = x[m + i]!
      const b = x[m + lag + i] ?? 0
      xy += a * b
      xx += a * a
      yy += b * b
    }
    const score = xy / Math.sqrt(xx * yy + 1e-20)
    scores[lag - lo + 1] = score
    if (lag >= lo && lag <= hi && score > bestScore) {
      bestScore = score
      best = lag
    }
  }
  if (best < 0 || bestScore < 0.5) return 0
  const i = best - lo + 1
  // The period is the lag between the two waveform stretches; the caller keeps the fractional mark.
  return best + parabolicPeak(scores[i - 1]!, scores[i]!, scores[i + 1]!)
}

function peakToPeak(x: Float32Array, from: number, to: number): number {
  let max = -Infinity
  let min = Infinity
  for (let i = from; i < Math.min(to, x.length); i++) {
    if (x[i]! > max) max = x[i]!
    if (x[i]! < min) min = x[i]!
  }
  return Number.isFinite(max - min) ? max - min : 0
}
