import { describe, expect, it } from 'vitest'
import { mixDown, resample, toMono16k } from './resample.js'

const tone = (hz: number, rate: number, seconds: number, amp = 0.5) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate))

/** Amplitude of the `hz` component (single-bin DFT) and RMS, away from the filter's edge transients. */
function measure(x: Float32Array, hz: number, rate: number) {
  const mid = x.subarray(1000, x.length - 1000)
  let re = 0
  let im = 0
  let ss = 0
  for (let i = 0; i < mid.length; i++) {
    re += mid[i]! * Math.cos((2 * Math.PI * hz * i) / rate)
    im += mid[i]! * Math.sin((2 * Math.PI * hz * i) / rate)
    ss += mid[i]! ** 2
  }
  return { amp: (2 * Math.hypot(re, im)) / mid.length, rms: Math.sqrt(ss / mid.length) }
}

describe('toMono16k', () => {
  it('keeps a 1 kHz tone at 48 kHz at its frequency and amplitude', () => {
    const out = toMono16k([tone(1000, 48_000, 1)], 48_000)
    expect(out.length).toBe(16_000)
    const { amp, rms } = measure(out, 1000, 16_000)
    expect(amp).toBeCloseTo(0.5, 2)
    // All the energy is at 1 kHz: the RMS of the output equals that of the pure tone.
    expect(rms).toBeCloseTo(0.5 / Math.SQRT2, 2)
  })

  it('removes a 12 kHz tone instead of aliasing it to 4 kHz', () => {
    const out = toMono16k([tone(12_000, 48_000, 1)], 48_000)
    const { rms } = measure(out, 4000, 16_000)
    expect(rms).toBeLessThan(0.5 * 1e-3) // > 60 dB down
  })

  it('handles non-integer ratios (22,050 and 44,100 Hz)', () => {
    for (const rate of [22_050, 44_100]) {
      const out = toMono16k([tone(440, rate, 2)], rate)
      expect(out.length).toBe(32_000)
      expect(measure(out, 440, 16_000).amp).toBeCloseTo(0.5, 2)
    }
  })

  it('mixes channels down by averaging and passes 16 kHz through unchanged', () => {
    const left = Float32Array.from([1, 1, 1])
    const right = Float32Array.from([0, -1, 1])
    expect(Array.from(mixDown([left, right]))).toEqual([0.5, 0, 1])
    const mono = toMono16k([left], 16_000)
    expect(Array.from(mono)).toEqual([1, 1, 1])
    expect(mono).not.toBe(left)
    expect(toMono16k([], 44_100)).toHaveLength(0)
  })

  it('upsamples 8 kHz without changing the tone', () => {
    const out = resample(tone(500, 8000, 1), 8000, 16_000)
    expect(out.length).toBe(16_000)
    expect(measure(out, 500, 16_000).amp).toBeCloseTo(0.5, 2)
  })

  it('rejects a nonsensical rate', () => {
    expect(() => toMono16k([new Float32Array(4)], 0)).toThrow(RangeError)
  })
})
