import { describe, expect, it } from 'vitest'
import { segmentsFromProbabilities } from './vad.js'

// 512-sample windows at 16 kHz: one window is 32 ms.
const probs = (pattern: number[]) => Float32Array.from(pattern)

describe('segmentsFromProbabilities (Silero get_speech_timestamps)', () => {
  it('finds nothing in silence', () => {
    expect(segmentsFromProbabilities(probs(new Array(60).fill(0.02)), 60 * 512)).toEqual([])
  })

  it('opens at threshold, closes after the minimum silence, and pads both sides', () => {
    const p = [...new Array(10).fill(0.1), ...new Array(20).fill(0.9), ...new Array(30).fill(0.1)]
    const [seg, ...rest] = segmentsFromProbabilities(probs(p), p.length * 512, { padMs: 30 })
    expect(rest).toEqual([])
    expect(seg!.begin).toBeCloseTo((10 * 512 - 480) / 16_000, 6)
    expect(seg!.end).toBeCloseTo((30 * 512 + 480) / 16_000, 6)
  })

  it('bridges a pause shorter than minSilenceMs and keeps hysteresis above threshold − 0.15', () => {
    const p = [
      0.1,
      ...new Array(15).fill(0.9),
      0.1,
      0.1,
      0.4,
      0.4,
      ...new Array(15).fill(0.9),
      ...new Array(10).fill(0),
    ]
    expect(segmentsFromProbabilities(probs(p), p.length * 512, { minSilenceMs: 100 })).toHaveLength(1)
    expect(segmentsFromProbabilities(probs(p), p.length * 512, { minSilenceMs: 20 })).toHaveLength(2)
  })

  it('drops segments shorter than minSpeechMs and closes a segment still open at the end', () => {
    const blip = [0, 0, 0.9, 0.9, 0, 0, 0, 0, 0, 0]
    expect(segmentsFromProbabilities(probs(blip), blip.length * 512, { minSpeechMs: 250 })).toEqual([])
    const open = [0, ...new Array(20).fill(0.9)]
    const [seg] = segmentsFromProbabilities(probs(open), open.length * 512 - 100, { padMs: 0 })
    expect(seg!.end).toBeCloseTo((open.length * 512 - 100) / 16_000, 6)
  })
})
