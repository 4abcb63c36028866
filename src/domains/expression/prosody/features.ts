/**
 * A fixed-length acoustic feature vector for one stretch of 16 kHz mono speech: the eGeMAPS parameter set
 * (Eyben et al., 2016) re-implemented in TypeScript, plus an extension block (`x_` prefix) of MFCC 1–12
 * statistics and contour dynamics. Parameters are measured over different frame subsets as eGeMAPS does:
 * F0, jitter, shimmer, HNR and formants over voiced frames; spectral balance separately over voiced and
 * unvoiced frames; loudness over active (non-silent) frames. Rates use the active span (first to last active
 * frame), so leading/trailing silence or zero padding does not change them.
 *
 * Known departures from openSMILE: loudness is PLP-style (see spectral.ts); H1–H2, H1–A3, formant
 * bandwidths and amplitudes are not computed; CV is used only for positive quantities (std otherwise).
 * The output never contains NaN or ±Infinity: silence, clips shorter than a frame and clipped audio all
 * produce finite numbers (0 where a quantity is undefined, e.g. F0 of silence).
 */
import { countPeaks, cv, deltas, mean, percentile, pick, slopes, smooth, std } from './functionals.js'
import { HOP, perturbation, runs, SAMPLE_RATE, trackPitch } from './pitch.js'
import { frameCount, MFCC_COUNT, spectralFrames } from './spectral.js'

const HOP_S = HOP / SAMPLE_RATE
/** Frames more than 50 dB below the loudest frame, or below −70 dBFS, are silence. */
const ACTIVE_RELATIVE = 1e-5
const ACTIVE_FLOOR = 1e-7

type Emit = (name: string, value: number) => void

export function extractFeatures(pcm16k: Float32Array): Float32Array {
  const values: number[] = []
  compute(sanitize(pcm16k), (_, v) => values.push(Number.isFinite(v) ? v : 0))
  return Float32Array.from(values)
}

/** Names of `extractFeatures`' outputs, in order. */
export const FEATURE_NAMES: readonly string[] = (() => {
  const names: string[] = []
  compute(new Float32Array(0), (n) => names.push(n))
  return names
})()

function sanitize(x: Float32Array): Float32Array {
  let ok = true
  for (let i = 0; i < x.length && ok; i++) ok = Number.isFinite(x[i]!)
  return ok ? x : x.map((v) => (Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0))
}

function compute(x: Float32Array, emit: Emit): void {
  const frames = frameCount(x.length)
  const spec = spectralFrames(x, frames, HOP)
  let maxEnergy = 0
  for (const e of spec.energy) maxEnergy = Math.max(maxEnergy, e)
  const active = Uint8Array.from(spec.energy, (e) => (e > Math.max(ACTIVE_FLOOR, maxEnergy * ACTIVE_RELATIVE) ? 1 : 0))
  const { f0, hnr } = trackPitch(x, frames, active)
  const voiced = Uint8Array.from(f0, (v) => (v > 0 ? 1 : 0))
  const unvoiced = Uint8Array.from(active, (a, i) => (a && !voiced[i] ? 1 : 0))
  const activeRuns = runs(active)
  const spanFrames = activeRuns.length ? activeRuns[activeRuns.length - 1]![1] - activeRuns[0]![0] : 0
  const spanSeconds = Math.max(spanFrames * HOP_S, HOP_S)

  // Pitch and loudness contours, smoothed within their segments, with the full eGeMAPS functionals.
  const voicedRuns = runs(voiced)
  const semitones = f0.map((v) => (v > 0 ? 12 * Math.log2(v / 27.5) : 0))
  const f0Segments = voicedRuns.map(([s, e]) => smooth(semitones.subarray(s, e)))
  contour(emit, 'F0semitone', f0Segments)
  const loudSegments = activeRuns.map(([s, e]) => smooth(spec.loudness.subarray(s, e)))
  contour(emit, 'loudness', loudSegments)

  const { jitter, shimmer } = perturbation(x, f0)
  emit('jitterLocal_mean', mean(jitter))
  emit('jitterLocal_cv', cv(jitter))
  emit('shimmerLocaldB_mean', mean(shimmer))
  emit('shimmerLocaldB_cv', cv(shimmer))
  const hnrV = pick(hnr, voiced)
  emit('HNRdB_mean', mean(hnrV))
  emit('HNRdB_std', std(hnrV))
  for (const [k, track] of spec.formants.entries()) {
    const v = pick(track, voiced).filter((hz) => hz > 0)
    emit(`F${k + 1}frequency_mean`, mean(v))
    emit(`F${k + 1}frequency_cv`, cv(v))
  }

  const balance: [string, Float64Array][] = [
    ['alphaRatio', spec.alphaRatio],
    ['hammarbergIndex', spec.hammarberg],
    ['slope0-500', spec.slope0500],
    ['slope500-1500', spec.slope5001500],
  ]
  for (const [name, track] of balance) {
    emit(`${name}V_mean`, mean(pick(track, voiced)))
    emit(`${name}V_std`, std(pick(track, voiced)))
  }
  emit('spectralFluxV_mean', mean(pick(spec.flux, voiced)))
  emit('spectralFluxV_cv', cv(pick(spec.flux, voiced)))
  for (let c = 0; c < 4; c++) {
    emit(`mfcc${c + 1}V_mean`, mean(pick(spec.mfcc[c]!, voiced)))
    emit(`mfcc${c + 1}V_std`, std(pick(spec.mfcc[c]!, voiced)))
  }
  for (const [name, track] of balance) emit(`${name}UV_mean`, mean(pick(track, unvoiced)))
  emit('spectralFluxUV_mean', mean(pick(spec.flux, unvoiced)))

  // Temporal parameters: speaking-rate proxies over the active span.
  const loudAll = smooth(pick(spec.loudness, active))
  emit('loudnessPeaksPerSec', countPeaks(loudAll, 0.1 * Math.max(1e-9, percentile(loudAll, 95))) / spanSeconds)
  emit('voicedSegmentsPerSec', voicedRuns.length / spanSeconds)
  const voicedLen = voicedRuns.map(([s, e]) => (e - s) * HOP_S)
  const gapLen = voicedRuns.slice(1).map(([s], i) => (s - voicedRuns[i]![1]) * HOP_S)
  emit('voicedSegmentLength_mean', mean(voicedLen))
  emit('voicedSegmentLength_std', std(voicedLen))
  emit('unvoicedSegmentLength_mean', mean(gapLen))
  emit('unvoicedSegmentLength_std', std(gapLen))
  emit('voicedRatio', sum(voiced) / Math.max(1, sum(active)))
  emit('equivalentSoundLevel_dBp', 10 * Math.log10(mean(pick(spec.energy, active)) + 1e-10))

  // Extension: the full MFCC 1–12 over active frames, their dynamics, and contour dynamics.
  const activeMfcc = activeRuns.map(([s, e]) => spec.mfcc.map((m) => m.subarray(s, e)))
  for (let c = 0; c < MFCC_COUNT; c++) {
    const v = pick(spec.mfcc[c]!, active)
    emit(`x_mfcc${c + 1}_mean`, mean(v))
    emit(`x_mfcc${c + 1}_std`, std(v))
    emit(`x_mfcc${c + 1}_delta_std`, std(deltas(activeMfcc.map((seg) => seg[c]!))))
  }
  emit('x_F0semitone_delta_std', std(deltas(f0Segments)))
  emit('x_loudness_delta_std', std(deltas(loudSegments)))
  emit('x_F0semitone_p05', percentile(flatten(f0Segments), 5))
  emit('x_F0semitone_p95', percentile(flatten(f0Segments), 95))
  emit('x_HNRdB_p80', percentile(hnrV, 80))
  emit('x_spectralFlux_mean', mean(pick(spec.flux, active)))
}

function contour(emit: Emit, name: string, segments: Float64Array[]): void {
  const all = flatten(segments)
  const p20 = percentile(all, 20)
  const p80 = percentile(all, 80)
  emit(`${name}_mean`, mean(all))
  emit(`${name}_cv`, cv(all))
  emit(`${name}_p20`, p20)
  emit(`${name}_p50`, percentile(all, 50))
  emit(`${name}_p80`, p80)
  emit(`${name}_range20-80`, p80 - p20)
  const s = slopes(segments, HOP_S)
  emit(`${name}_risingSlope_mean`, s.riseMean)
  emit(`${name}_risingSlope_std`, s.riseStd)
  emit(`${name}_fallingSlope_mean`, s.fallMean)
  emit(`${name}_fallingSlope_std`, s.fallStd)
}

function flatten(segments: Float64Array[]): Float64Array {
  const out = new Float64Array(segments.reduce((n, s) => n + s.length, 0))
  let at = 0
  for (const s of segments) {
    out.set(s, at)
    at += s.length
  }
  return out
}

function sum(v: Uint8Array): number {
  let n = 0
  for (const b of v) n += b
  return n
}
