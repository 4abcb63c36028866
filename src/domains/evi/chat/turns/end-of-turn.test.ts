import { describe, expect, it } from 'vitest'
import { endOfTurnLikely, prosodicEnding, transcriptLooksComplete } from './end-of-turn.js'

/**
 * A synthetic voiced sound: harmonics of an F0 that follows `f0(t)`, shaped by `amp(t)`, then silence.
 * Real speech is tested in test/integration/evi/end-of-turn.test.ts; this pins the contour logic.
 */
function voice(seconds: number, f0: (t: number) => number, amp: (t: number) => number, silence = 0.15) {
  const rate = 16_000
  const n = Math.round(seconds * rate)
  const x = new Float32Array(n + Math.round(silence * rate))
  let phase = 0
  for (let i = 0; i < n; i++) {
    const t = i / rate
    phase += (2 * Math.PI * f0(t)) / rate
    let s = 0
    for (let h = 1; h <= 8; h++) s += Math.sin(h * phase) / h
    x[i] = 0.3 * amp(t) * s
  }
  return x
}

const steady = () => 1
/** Loudness falling to 10% over the last 150 ms of a sound of `len` seconds. */
const fadeOut = (len: number) => (t: number) =>
  t < len - 0.15 ? 1 : Math.max(0.1, 1 - ((t - (len - 0.15)) / 0.15) * 0.9)
/** F0 flat at 200 Hz, then gliding to `to` Hz over the last 300 ms of `len` seconds. */
const glide = (len: number, to: number) => (t: number) =>
  t < len - 0.3 ? 200 : 200 + ((to - 200) * (t - (len - 0.3))) / 0.3

describe('transcriptLooksComplete', () => {
  it.each([
    'Kids are talking by the door.',
    'kids are talking by the door',
    'Yes it is',
    'Can you help me?',
    'I think so!',
    '“That is all.”',
  ])('complete: %s', (t) => expect(transcriptLooksComplete(t)).toBe(true))

  it.each([
    '',
    '   ',
    'Kids are talking by',
    'Kids are talking by the',
    'I went to the shop and',
    'so I was thinking um',
    'we could, you know',
    'the thing is,',
    'I wanted to say...',
    'well —',
    'because',
  ])('not complete: "%s"', (t) => expect(transcriptLooksComplete(t)).toBe(false))
})

describe('prosodicEnding', () => {
  it('hears a falling, fading ending as final', () => {
    const e = prosodicEnding(voice(1.2, glide(1.2, 150), fadeOut(1.2)))!
    expect(e.low).toBe(true)
    expect(e.fades).toBe(true)
    expect(e.finalSt).toBeLessThan(-2)
  })

  it('hears a rising ending as not low, and an abrupt stop as not fading', () => {
    const rising = prosodicEnding(voice(1.2, glide(1.2, 260), fadeOut(1.2)))!
    expect(rising.low).toBe(false)
    expect(rising.fades).toBe(true)
    const abrupt = prosodicEnding(voice(1.2, glide(1.2, 150), steady))!
    expect(abrupt.low).toBe(true)
    expect(abrupt.fades).toBe(false)
  })

  it('gives no verdict without enough voice', () => {
    expect(prosodicEnding(new Float32Array(16_000))).toBeUndefined()
    expect(prosodicEnding(voice(0.05, () => 200, steady))).toBeUndefined()
    let seed = 1
    const noise = new Float32Array(16_000).map(() => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return 0.2 * (seed / 0x7fffffff - 0.5)
    })
    expect(prosodicEnding(noise)).toBeUndefined()
  })

  it('looks only at the end of a long turn', () => {
    // 20 s of rising voice followed by a falling, fading last second: the ending decides.
    const long = voice(
      21,
      (t) => (t < 20 ? 150 + 5 * t : glide(1, 150)(t - 20)),
      (t) => (t < 20 ? 1 : fadeOut(1)(t - 20)),
    )
    const started = performance.now()
    const e = prosodicEnding(long)!
    expect(performance.now() - started).toBeLessThan(500)
    expect(e.low && e.fades).toBe(true)
  })
})

describe('endOfTurnLikely', () => {
  const falling = voice(1.2, glide(1.2, 150), fadeOut(1.2))
  const rising = voice(1.2, glide(1.2, 260), fadeOut(1.2))

  it('needs both the words and the voice to say the user has finished', () => {
    expect(endOfTurnLikely(falling, 'Kids are talking by the door')).toBe(true)
    expect(endOfTurnLikely(falling, 'Kids are talking by the')).toBe(false)
    expect(endOfTurnLikely(rising, 'Kids are talking by the door')).toBe(false)
    expect(endOfTurnLikely(voice(1.2, glide(1.2, 150), steady), 'Kids are talking by the door')).toBe(false)
  })

  it('lets a question end rising', () => {
    expect(endOfTurnLikely(rising, 'Are the kids talking by the door?')).toBe(true)
  })
})
