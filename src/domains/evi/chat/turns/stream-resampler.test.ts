import { describe, expect, it } from 'vitest'
import { resample } from '../../../expression/prosody/resample.js'
import { StreamResampler } from './stream-resampler.js'

/** A deterministic test signal: two tones and a little pseudo-random noise. */
function signal(n: number, rate: number): Float32Array {
  const x = new Float32Array(n)
  let seed = 7
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    x[i] = 0.4 * Math.sin((2 * Math.PI * 440 * i) / rate) + 0.2 * Math.sin((2 * Math.PI * 3100 * i) / rate)
    x[i]! += 0.05 * (seed / 0x7fffffff - 0.5)
  }
  return x
}

function streamed(x: Float32Array, from: number, sizes: number[]): Float32Array {
  const r = new StreamResampler(from)
  const parts: Float32Array[] = []
  for (let at = 0, k = 0; at < x.length; k++) {
    const n = sizes[k % sizes.length]!
    parts.push(r.push(x.subarray(at, at + n)))
    at += n
  }
  parts.push(r.flush())
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

describe('StreamResampler', () => {
  for (const rate of [48_000, 44_100, 22_050, 24_000, 8_000]) {
    it(`gives the whole-stream result at ${rate} Hz whatever the chunk sizes`, () => {
      const x = signal(Math.round(rate * 0.7), rate)
      const whole = resample(x, rate, 16_000)
      const out = streamed(x, rate, [1, 4799, 333, 1024, 7, 2205])
      expect(out.length).toBe(whole.length)
      let maxDiff = 0
      for (let i = 0; i < whole.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i]! - whole[i]!))
      expect(maxDiff).toBeLessThan(1e-6)
    })
  }

  it('holds back only the outputs whose filter window is incomplete', () => {
    const r = new StreamResampler(48_000)
    const out = r.push(signal(4800, 48_000))
    // 100 ms in → nearly 100 ms out; the rest waits for the next samples.
    expect(out.length).toBeGreaterThan(1500)
    expect(out.length).toBeLessThanOrEqual(1600)
    expect(out.length + r.flush().length).toBe(1600)
  })

  it('passes 16 kHz through unchanged (as a copy)', () => {
    const x = signal(1000, 16_000)
    const r = new StreamResampler(16_000)
    const out = r.push(x)
    expect(out).toEqual(x)
    expect(out).not.toBe(x)
  })

  it('refuses non-integer or non-positive rates', () => {
    expect(() => new StreamResampler(0)).toThrow(RangeError)
    expect(() => new StreamResampler(44_100.5)).toThrow(RangeError)
  })
})
