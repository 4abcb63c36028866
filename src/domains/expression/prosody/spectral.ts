/**
 * Frame-level spectral low-level descriptors of the eGeMAPS family (Eyben et al., 2016), 25 ms Hamming frames
 * every 10 ms at 16 kHz: loudness, alpha ratio, Hammarberg index, spectral slopes 0–500 and 500–1500 Hz,
 * spectral flux, MFCC 1–12 and formants F1–F3.
 *
 * Loudness follows PLP (Hermansky, 1990) rather than openSMILE's exact auditory spectrum: mel band powers are
 * weighted by the 40-phon equal-loudness curve and compressed by the intensity-loudness power law (^0.33),
 * then summed. It tracks perceived loudness the same way; absolute values differ from openSMILE's.
 */
import { powerSpectrum } from './fft.js'
import { SAMPLE_RATE } from './pitch.js'

export const FRAME = 400 // 25 ms
const NFFT = 512
const BIN_HZ = SAMPLE_RATE / NFFT
export const MEL_BANDS = 26
export const MFCC_COUNT = 12
const LPC_ORDER = 18 // 2 + fs/1 kHz, the usual rule for formant analysis
const EPS = 1e-10

export interface SpectralFrames {
  loudness: Float64Array
  /** Frame energy (mean square of the unwindowed samples). */
  energy: Float64Array
  alphaRatio: Float64Array
  hammarberg: Float64Array
  slope0500: Float64Array
  slope5001500: Float64Array
  flux: Float64Array
  /** mfcc[c][frame] for c = 1..MFCC_COUNT (index 0 holds MFCC 1). */
  mfcc: Float64Array[]
  /** formants[k][frame] in Hz for F1..F3; 0 when no peak was found. */
  formants: Float64Array[]
}

const hamming = Float64Array.from({ length: FRAME }, (_, i) => 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (FRAME - 1)))
const melFilters = buildMel()
const loudnessWeights = melFilters.centers.map(equalLoudness)

export function frameCount(samples: number): number {
  return samples <= 0 ? 0 : Math.max(1, Math.floor((samples - FRAME) / 160) + 1)
}

export function spectralFrames(x: Float32Array, frames: number, hop: number): SpectralFrames {
  const make = () => new Float64Array(frames)
  const out: SpectralFrames = {
    loudness: make(),
    energy: make(),
    alphaRatio: make(),
    hammarberg: make(),
    slope0500: make(),
    slope5001500: make(),
    flux: make(),
    mfcc: Array.from({ length: MFCC_COUNT }, make),
    formants: Array.from({ length: 3 }, make),
  }
  const frame = new Float64Array(FRAME)
  const mel = new Float64Array(MEL_BANDS)
  let prevMag: Float64Array | undefined
  for (let f = 0; f < frames; f++) {
    let e = 0
    for (let i = 0; i < FRAME; i++) {
      const v = x[f * hop + i] ?? 0
      e += v * v
      frame[i] = v * hamming[i]!
    }
    out.energy[f] = e / FRAME
    const p = powerSpectrum(frame, NFFT)
    let loud = 0
    for (let b = 0; b < MEL_BANDS; b++) {
      let s = 0
      for (const [k, w] of melFilters.bands[b]!) s += w * p[k]!
      mel[b] = s
      loud += Math.pow(loudnessWeights[b]! * s, 0.33)
    }
    out.loudness[f] = loud
    out.alphaRatio[f] = 10 * Math.log10((bandSum(p, 50, 1000) + EPS) / (bandSum(p, 1000, 5000) + EPS))
    out.hammarberg[f] = 10 * Math.log10((bandMax(p, 0, 2000) + EPS) / (bandMax(p, 2000, 5000) + EPS))
    out.slope0500[f] = slope(p, 0, 500)
    out.slope5001500[f] = slope(p, 500, 1500)
    for (let c = 1; c <= MFCC_COUNT; c++) {
      let s = 0
      for (let b = 0; b < MEL_BANDS; b++) s += Math.log(mel[b]! + EPS) * Math.cos((Math.PI * c * (b + 0.5)) / MEL_BANDS)
      out.mfcc[c - 1]![f] = s * Math.sqrt(2 / MEL_BANDS)
    }
    // Flux between L2-normalised magnitude spectra, so it measures change of shape rather than of level.
    const mag = normalisedMagnitude(p)
    if (prevMag) {
      let s = 0
      for (let k = 0; k < mag.length; k++) s += (mag[k]! - prevMag[k]!) ** 2
      out.flux[f] = s
    }
    prevMag = mag
    const formants = lpcFormants(x, f * hop)
    for (let k = 0; k < 3; k++) out.formants[k]![f] = formants[k] ?? 0
  }
  return out
}

function bandSum(p: Float64Array, lo: number, hi: number): number {
  let s = 0
  for (let k = Math.ceil(lo / BIN_HZ); k <= Math.min(p.length - 1, Math.floor(hi / BIN_HZ)); k++) s += p[k]!
  return s
}

function bandMax(p: Float64Array, lo: number, hi: number): number {
  let m = 0
  for (let k = Math.ceil(lo / BIN_HZ); k <= Math.min(p.length - 1, Math.floor(hi / BIN_HZ)); k++) m = Math.max(m, p[k]!)
  return m
}

/** Least-squares slope of the dB power spectrum against frequency (dB per kHz) between lo and hi Hz. */
function slope(p: Float64Array, lo: number, hi: number): number {
  let n = 0
  let sx = 0
  let sy = 0
  let sxx = 0
  let sxy = 0
  for (let k = Math.ceil(lo / BIN_HZ); k <= Math.floor(hi / BIN_HZ); k++) {
    const fx = (k * BIN_HZ) / 1000
    const y = 10 * Math.log10(p[k]! + EPS)
    n++
    sx += fx
    sy += y
    sxx += fx * fx
    sxy += fx * y
  }
  const den = n * sxx - sx * sx
  return den > 0 ? (n * sxy - sx * sy) / den : 0
}

function normalisedMagnitude(p: Float64Array): Float64Array {
  const m = p.map(Math.sqrt)
  let norm = 0
  for (const v of m) norm += v * v
  norm = Math.sqrt(norm)
  return norm > EPS ? m.map((v) => v / norm) : m.fill(0)
}

function hzToMel(f: number): number {
  return 2595 * Math.log10(1 + f / 700)
}

function buildMel(): { bands: [number, number][][]; centers: number[] } {
  const lo = hzToMel(20)
  const hi = hzToMel(SAMPLE_RATE / 2)
  const edges = Array.from(
    { length: MEL_BANDS + 2 },
    (_, i) => 700 * (10 ** ((lo + ((hi - lo) * i) / (MEL_BANDS + 1)) / 2595) - 1),
  )
  const bands: [number, number][][] = []
  for (let b = 0; b < MEL_BANDS; b++) {
    const [l, c, r] = [edges[b]!, edges[b + 1]!, edges[b + 2]!]
    const taps: [number, number][] = []
    for (let k = 0; k <= NFFT / 2; k++) {
      const f = k * BIN_HZ
      const w = f <= l || f >= r ? 0 : f <= c ? (f - l) / (c - l) : (r - f) / (r - c)
      if (w > 0) taps.push([k, w])
    }
    bands.push(taps)
  }
  return { bands, centers: edges.slice(1, -1) }
}

/** Hermansky's approximation of the 40-phon equal-loudness curve (PLP). */
function equalLoudness(f: number): number {
  const w2 = (2 * Math.PI * f) ** 2
  return ((w2 + 56.8e6) * w2 * w2) / ((w2 + 6.3e6) ** 2 * (w2 + 0.38e9))
}

/** F1–F3: the first three peaks above 150 Hz of the LPC envelope of a pre-emphasised Hamming frame. */
function lpcFormants(x: Float32Array, start: number): number[] {
  const s = new Float64Array(FRAME)
  for (let i = 0; i < FRAME; i++) {
    const cur = x[start + i] ?? 0
    const prev = i + start > 0 ? (x[start + i - 1] ?? 0) : 0
    s[i] = (cur - 0.97 * prev) * hamming[i]!
  }
  const r = new Float64Array(LPC_ORDER + 1)
  for (let lag = 0; lag <= LPC_ORDER; lag++) for (let i = lag; i < FRAME; i++) r[lag]! += s[i]! * s[i - lag]!
  if (r[0]! <= EPS) return []
  r[0]! *= 1 + 1e-9 // white-noise correction keeps Levinson stable on near-singular frames
  const a = levinson(r)
  const env = powerSpectrum(a, NFFT) // |A(e^jw)|²: formants are its minima
  const peaks: number[] = []
  for (let k = Math.ceil(150 / BIN_HZ); k < env.length - 1 && peaks.length < 3; k++) {
    if (env[k]! < env[k - 1]! && env[k]! <= env[k + 1]!) {
      const off = parabolicMin(env[k - 1]!, env[k]!, env[k + 1]!)
      peaks.push((k + off) * BIN_HZ)
    }
  }
  return peaks
}

function parabolicMin(a: number, b: number, c: number): number {
  const den = a - 2 * b + c
  return den > 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0
}

/** Levinson-Durbin: prediction-error filter [1, a1..ap] from autocorrelation r[0..p]. */
function levinson(r: Float64Array): Float64Array {
  const p = r.length - 1
  const a = new Float64Array(p + 1)
  a[0] = 1
  let err = r[0]!
  for (let i = 1; i <= p; i++) {
    let acc = r[i]!
    for (let j = 1; j < i; j++) acc += a[j]! * r[i - j]!
    const k = -acc / err
    const prev = a.slice()
    for (let j = 1; j < i; j++) a[j] = prev[j]! + k * prev[i - j]!
    a[i] = k
    err *= 1 - k * k
    if (err <= EPS) break
  }
  return a
}
