import { describe, expect, it } from 'vitest'
import { addTrack, arrayTrack, mixTracks, outputLength, outputRate, toInt16 } from './audio-mix.js'

async function collect(gen: AsyncGenerator<Float32Array>): Promise<Float32Array> {
  const parts: Float32Array[] = []
  for await (const b of gen) parts.push(b)
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

describe('audio mixing', () => {
  it('picks the smallest MP3 rate that needs no downsampling', () => {
    expect(outputRate([])).toBe(16_000)
    expect(outputRate([arrayTrack(new Int16Array(1), 16_000)])).toBe(16_000)
    expect(outputRate([arrayTrack(new Int16Array(1), 16_000), arrayTrack(new Int16Array(1), 24_000)])).toBe(24_000)
    expect(outputRate([arrayTrack(new Int16Array(1), 23_000)])).toBe(24_000)
    expect(outputRate([arrayTrack(new Int16Array(1), 96_000)])).toBe(48_000)
  })

  it('lasts the chat, or longer when audio ran past its end, capped at the longest recording', () => {
    const tracks = [arrayTrack(new Int16Array(8000), 16_000)] // 0.5 s
    expect(outputLength({ durationMs: 2000, rate: 24_000, tracks, maxSeconds: 60 })).toBe(48_000)
    expect(outputLength({ durationMs: 100, rate: 24_000, tracks, maxSeconds: 60 })).toBe(12_000)
    expect(outputLength({ durationMs: 120_000, rate: 16_000, tracks, maxSeconds: 60 })).toBe(960_000)
    expect(outputLength({ durationMs: -5, rate: 16_000, tracks: [], maxSeconds: 60 })).toBe(0)
  })

  it('adds a track at the same rate sample for sample', async () => {
    const out = new Float32Array(4).fill(0.25)
    await addTrack(out, 2, 16_000, arrayTrack(Int16Array.from([0, 0, 16384, -16384, 8192]), 16_000))
    expect(Array.from(out)).toEqual([0.75, -0.25, 0.5, 0.25])
  })

  it('upsamples by linear interpolation between neighbouring samples', async () => {
    const out = new Float32Array(6)
    // 8 kHz into 16 kHz: every other output sample falls halfway between two input samples; the
    // last halfway to the silence after the track.
    await addTrack(out, 0, 16_000, arrayTrack(Int16Array.from([0, 8192, 16384]), 8000))
    expect(Array.from(out)).toEqual([0, 0.125, 0.25, 0.375, 0.5, 0.25])
  })

  it('places each side where it was recorded, silence between, and clips where both talk', async () => {
    const user = new Int16Array(16_000) // 1 s at 16 kHz: speech from 0.25 s to 0.5 s
    user.fill(16384, 4000, 8000)
    const assistant = new Int16Array(24_000) // 1 s at 24 kHz: speech from 0.4 s to 0.75 s
    assistant.fill(24576, 9600, 18_000)
    const tracks = [arrayTrack(user, 16_000), arrayTrack(assistant, 24_000)]
    const rate = outputRate(tracks)
    const length = outputLength({ durationMs: 1000, rate, tracks, maxSeconds: 10 })
    const mix = await collect(mixTracks(tracks, { rate, length, blockSamples: 1000 }))
    expect(mix.length).toBe(24_000)
    const at = (s: number) => mix[Math.round(s * rate)]
    expect(at(0.1)).toBe(0)
    expect(at(0.3)).toBeCloseTo(0.5)
    expect(at(0.45)).toBe(1) // 0.5 + 0.75, clipped
    expect(at(0.6)).toBeCloseTo(0.75)
    expect(at(0.9)).toBe(0)
  })

  it('gives the same mix whatever the block size', async () => {
    const a = arrayTrack(
      Int16Array.from({ length: 5000 }, (_, i) => Math.round(Math.sin(i / 7) * 20000)),
      16_000,
    )
    const b = arrayTrack(
      Int16Array.from({ length: 7000 }, (_, i) => Math.round(Math.cos(i / 5) * 9000)),
      24_000,
    )
    const o = { rate: 24_000, length: 9000 }
    const big = await collect(mixTracks([a, b], { ...o, blockSamples: 9000 }))
    const small = await collect(mixTracks([a, b], { ...o, blockSamples: 333 }))
    expect(small).toEqual(big)
  })

  it('converts to 16-bit PCM with clipping', () => {
    expect(Array.from(toInt16(Float32Array.from([0, 1, -1, 2, -2, 0.5])))).toEqual([
      0, 32767, -32768, 32767, -32768, 16384,
    ])
  })
})
