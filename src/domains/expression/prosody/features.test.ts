import { describe, expect, it } from 'vitest'
import { extractFeatures, FEATURE_NAMES } from './features.js'

const RATE = 16_000
const sine = (hz: number, seconds: number, amp = 0.5) =>
  Float32Array.from({ length: Math.round(RATE * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / RATE))
const feature = (v: Float32Array, name: string) => {
  const i = FEATURE_NAMES.indexOf(name)
  if (i < 0) throw new Error(`no feature ${name}`)
  return v[i]!
}
const hzFromSemitone = (st: number) => 27.5 * 2 ** (st / 12)

describe('extractFeatures', () => {
  it('has one name per value and unique names', () => {
    expect(extractFeatures(sine(200, 0.5))).toHaveLength(FEATURE_NAMES.length)
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_NAMES.length)
  })

  it.each([90, 150, 220, 347, 480])('measures the F0 of a %i Hz sine within 2%', (hz) => {
    const v = extractFeatures(sine(hz, 1))
    expect(hzFromSemitone(feature(v, 'F0semitone_p50')) / hz).toBeCloseTo(1, 1)
    expect(Math.abs(hzFromSemitone(feature(v, 'F0semitone_mean')) / hz - 1)).toBeLessThan(0.02)
    expect(feature(v, 'voicedRatio')).toBeGreaterThan(0.9)
  })

  it('finds no jitter or shimmer in a perfectly periodic signal, and some in a perturbed one', () => {
    const periodic = extractFeatures(sine(200, 1))
    expect(feature(periodic, 'jitterLocal_mean')).toBeLessThan(1e-3)
    expect(feature(periodic, 'shimmerLocaldB_mean')).toBeLessThan(0.05)
    expect(feature(periodic, 'HNRdB_mean')).toBeGreaterThan(20)
    // Glottal-like pulses every 80 ± 3 samples with amplitudes 0.7–1 (a fixed pseudo-random sequence, not a
    // repeating pattern, which would just be a longer period): ~2% jitter and ~1.5 dB shimmer expected.
    const x = new Float32Array(RATE)
    let seed = 12345
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let t = 0; t < x.length - 100; t += 77 + Math.floor(rand() * 7)) {
      const amp = 0.7 + 0.3 * rand()
      for (let i = 0; i < 60; i++) x[t + i] = amp * Math.sin((Math.PI * i) / 60) ** 2 * Math.sin((2 * Math.PI * i) / 20)
    }
    const perturbed = extractFeatures(x)
    // Expected mean |ΔP| / P for periods uniform on 77..83: (7² − 1) / (3·7) / 80 ≈ 0.029.
    expect(feature(perturbed, 'jitterLocal_mean')).toBeGreaterThan(0.02)
    expect(feature(perturbed, 'jitterLocal_mean')).toBeLessThan(0.045)
    expect(feature(perturbed, 'shimmerLocaldB_mean')).toBeGreaterThan(0.5)
    expect(feature(perturbed, 'shimmerLocaldB_mean')).toBeLessThan(1.5)
  })

  it('is finite for silence, tiny clips, clipping and garbage', () => {
    const cases: Float32Array[] = [
      new Float32Array(0),
      new Float32Array(1),
      new Float32Array(800), // 50 ms
      new Float32Array(1500), // < 0.1 s
      new Float32Array(RATE * 2), // digital silence
      Float32Array.from({ length: RATE }, (_, i) => 1e-6 * Math.sin(i)), // near-silence
      Float32Array.from({ length: RATE }, (_, i) =>
        Math.max(-0.3, Math.min(0.3, 3 * Math.sin((2 * Math.PI * 180 * i) / RATE))),
      ),
      Float32Array.from({ length: 1200 }, (_, i) => Math.sin(i / 3)), // short voiced burst
      Float32Array.from({ length: RATE }, (_, i) => (i % 97 === 0 ? NaN : i % 89 === 0 ? Infinity : Math.sin(i / 5))),
    ]
    for (const x of cases) {
      const v = extractFeatures(x)
      expect(v).toHaveLength(FEATURE_NAMES.length)
      expect(Array.from(v).every(Number.isFinite)).toBe(true)
    }
    expect(feature(extractFeatures(new Float32Array(RATE)), 'F0semitone_mean')).toBe(0)
  })

  it('reports louder and higher speech-like signals as louder and higher', () => {
    const quiet = extractFeatures(sine(150, 1, 0.05))
    const loud = extractFeatures(sine(300, 1, 0.5))
    expect(feature(loud, 'loudness_mean')).toBeGreaterThan(feature(quiet, 'loudness_mean'))
    expect(feature(loud, 'F0semitone_mean') - feature(quiet, 'F0semitone_mean')).toBeCloseTo(12, 0)
  })
})
