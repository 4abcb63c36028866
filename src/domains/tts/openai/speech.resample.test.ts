import { describe, expect, it } from 'vitest'
import { createResampler } from './speech.resample.js'

const sine = (n: number, rate: number, hz: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate))

describe('createResampler', () => {
  it('16 kHz to 24 kHz makes 1.5 times the samples and keeps a tone at its frequency', () => {
    const out = createResampler(16000, 24000)(sine(16000, 16000, 440))
    expect(Math.abs(out.length - 24000)).toBeLessThanOrEqual(1)
    const expected = sine(out.length, 24000, 440)
    const err = out.reduce((m, x, i) => Math.max(m, Math.abs(x - expected[i]!)), 0)
    expect(err).toBeLessThan(0.01)
  })

  it('chunk by chunk gives exactly what the whole signal gives (no seams)', () => {
    const input = sine(5000, 16000, 300)
    const whole = createResampler(16000, 24000)(input)
    const convert = createResampler(16000, 24000)
    const parts: number[] = []
    for (const [a, b] of [
      [0, 7],
      [7, 1000],
      [1000, 1000],
      [1000, 3333],
      [3333, 5000],
    ] as const)
      parts.push(...convert(input.subarray(a, b)))
    expect(parts.length).toBe(whole.length)
    parts.forEach((x, i) => expect(x).toBeCloseTo(whole[i]!, 5))
  })

  it('downsamples too, and refuses nonsense rates', () => {
    expect(createResampler(48000, 24000)(new Float32Array(480)).length).toBe(240)
    expect(() => createResampler(0, 24000)).toThrow(RangeError)
  })
})
