import { describe, expect, it } from 'vitest'
import { mixDown, resample } from '../../../expression/prosody/resample.js'
import { createAudioInput, DEFAULT_LINEAR16 } from './audio-input.js'
import { AudioInputError, type AudioInputFormat } from './turns.types.js'

/** Interleaved s16le of `seconds` of a tone per channel (a different tone on each). */
function pcm16(rate: number, channels: number, seconds: number): { bytes: Uint8Array; expected: Float32Array } {
  const n = Math.round(rate * seconds)
  const bytes = new Uint8Array(n * channels * 2)
  const view = new DataView(bytes.buffer)
  const chans = Array.from({ length: channels }, () => new Float32Array(n))
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      const v = Math.round(12_000 * Math.sin((2 * Math.PI * (300 + 170 * c) * i) / rate))
      view.setInt16((i * channels + c) * 2, v, true)
      chans[c]![i] = v / 32768
    }
  }
  const mono = mixDown(chans)
  return { bytes, expected: rate === 16_000 ? mono : resample(mono, rate, 16_000) }
}

function wavHeader(rate: number, channels: number, dataBytes: number, bits = 16, format = 1): Uint8Array {
  const h = new DataView(new ArrayBuffer(44))
  const s = (at: number, t: string) => [...t].forEach((ch, i) => h.setUint8(at + i, ch.charCodeAt(0)))
  s(0, 'RIFF')
  h.setUint32(4, 36 + dataBytes, true)
  s(8, 'WAVE')
  s(12, 'fmt ')
  h.setUint32(16, 16, true)
  h.setUint16(20, format, true)
  h.setUint16(22, channels, true)
  h.setUint32(24, rate, true)
  h.setUint32(28, (rate * channels * bits) / 8, true)
  h.setUint16(32, (channels * bits) / 8, true)
  h.setUint16(34, bits, true)
  s(36, 'data')
  h.setUint32(40, dataBytes, true)
  return new Uint8Array(h.buffer)
}

function collect(format: AudioInputFormat = {}) {
  const chunks: Float32Array[] = []
  const errors: Error[] = []
  const input = createAudioInput(format, {
    onPcm: (p) => chunks.push(p),
    onError: (e) => errors.push(e),
    ffmpeg: 'ffmpeg',
  })
  const pcm = () => {
    const out = new Float32Array(chunks.reduce((s, c) => s + c.length, 0))
    let at = 0
    for (const c of chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }
  return { input, pcm, errors }
}

/** Sends `bytes` in pieces of the given sizes (cycled), as separate messages. */
function sendChunked(write: (b: Uint8Array) => void, bytes: Uint8Array, sizes: number[]): void {
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length]!
    // A fresh copy each time, then scribbled over: the input must not keep references to it.
    const piece = bytes.slice(at, at + n)
    write(piece)
    piece.fill(0x55)
    at += n
  }
}

function expectPrefixOf(got: Float32Array, expected: Float32Array, minLength: number): void {
  expect(got.length).toBeGreaterThanOrEqual(minLength)
  expect(got.length).toBeLessThanOrEqual(expected.length)
  let maxDiff = 0
  for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - expected[i]!))
  expect(maxDiff).toBeLessThan(1e-5)
}

describe('createAudioInput: linear16', () => {
  it('resamples 48 kHz stereo in odd-sized messages to the 16 kHz mono of the whole', () => {
    const { bytes, expected } = pcm16(48_000, 2, 1)
    const { input, pcm } = collect({ encoding: 'linear16', sampleRate: 48_000, channels: 2 })
    sendChunked((b) => input.write(b), bytes, [1, 3, 4097, 999, 2, 9601])
    // All but the resampler's look-ahead (a few ms) is out already.
    expectPrefixOf(pcm(), expected, expected.length - 100)
  })

  it('passes 16 kHz mono through, keeping an odd trailing byte for the next message', () => {
    const { bytes, expected } = pcm16(16_000, 1, 0.5)
    const { input, pcm } = collect({ encoding: 'linear16', sampleRate: 16_000, channels: 1 })
    sendChunked((b) => input.write(b), bytes, [333, 1, 1600, 7])
    expectPrefixOf(pcm(), expected, expected.length)
  })

  it(`assumes ${DEFAULT_LINEAR16.sampleRate} Hz mono when the session gave no audio settings`, () => {
    const { bytes, expected } = pcm16(16_000, 1, 0.25)
    const { input, pcm } = collect({})
    sendChunked((b) => input.write(b), bytes, [3200])
    expectPrefixOf(pcm(), expected, expected.length)
  })

  it('follows a mid-chat change of sample rate (session_settings.audio)', () => {
    const a = pcm16(16_000, 1, 0.25)
    const b = pcm16(8_000, 1, 0.25)
    const { input, pcm } = collect({ sampleRate: 16_000, channels: 1 })
    input.write(a.bytes)
    input.reformat({ encoding: 'linear16', sampleRate: 8_000, channels: 1 })
    input.write(b.bytes)
    const out = pcm()
    expectPrefixOf(out.subarray(0, a.expected.length), a.expected, a.expected.length)
    expectPrefixOf(out.subarray(a.expected.length), b.expected, b.expected.length - 100)
  })

  it('refuses impossible settings with an AudioInputError', () => {
    const make = (f: AudioInputFormat) => () => collect(f)
    expect(make({ sampleRate: 0 })).toThrow(AudioInputError)
    expect(make({ sampleRate: 1_000_000 })).toThrow(/sample_rate/)
    expect(make({ channels: 0 })).toThrow(/channels/)
    expect(make({ encoding: 'mulaw' as 'linear16' })).toThrow(/linear16/)
    const { input } = collect({})
    expect(() => input.reformat({ sampleRate: 44_100.5 })).toThrow(
      expect.objectContaining({ slug: 'invalid_audio_format' }),
    )
  })

  it('treats arbitrary bytes without a container signature as PCM, without failing', () => {
    const { input, pcm, errors } = collect({})
    const junk = new Uint8Array(10_001)
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 0xff
    sendChunked((b) => input.write(b), junk, [997])
    expect(pcm().length).toBe(5000)
    expect(pcm().every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true)
    expect(errors).toEqual([])
  })

  it('ignores everything after close', () => {
    const { input, pcm } = collect({})
    input.close()
    input.write(pcm16(16_000, 1, 0.1).bytes)
    expect(pcm().length).toBe(0)
  })
})

describe('createAudioInput: WAV', () => {
  it('takes rate and channels from a RIFF header at the start, whatever the settings say', () => {
    const { bytes, expected } = pcm16(44_100, 2, 0.5)
    const stream = new Uint8Array(44 + bytes.length)
    stream.set(wavHeader(44_100, 2, 0xffffffff))
    stream.set(bytes, 44)
    const { input, pcm } = collect({ encoding: 'linear16', sampleRate: 16_000, channels: 1 })
    // The header itself arrives split over messages.
    sendChunked((b) => input.write(b), stream, [5, 20, 4410, 1])
    expectPrefixOf(pcm(), expected, expected.length - 100)
  })

  it('starts over at every message that is a WAV file of its own, skipping trailing chunks', () => {
    const a = pcm16(16_000, 1, 0.1)
    const b = pcm16(8_000, 1, 0.1)
    const list = new Uint8Array([...'LIST'].map((c) => c.charCodeAt(0)).concat([4, 0, 0, 0, 1, 2, 3, 4]))
    const fileA = new Uint8Array([...wavHeader(16_000, 1, a.bytes.length), ...a.bytes, ...list])
    const fileB = new Uint8Array([...wavHeader(8_000, 1, b.bytes.length), ...b.bytes])
    const { input, pcm } = collect({})
    input.write(fileA)
    input.write(fileB)
    const out = pcm()
    expectPrefixOf(out.subarray(0, a.expected.length), a.expected, a.expected.length)
    expectPrefixOf(out.subarray(a.expected.length), b.expected, b.expected.length - 60)
  })

  it('keeps streaming PCM sent after a header whose data length was too short', () => {
    const { bytes, expected } = pcm16(16_000, 1, 0.3)
    const { input, pcm } = collect({})
    input.write(new Uint8Array([...wavHeader(16_000, 1, 1600), ...bytes.subarray(0, 1600)]))
    input.write(bytes.subarray(1600))
    expectPrefixOf(pcm(), expected, expected.length)
  })

  it('reads 32-bit float WAV', () => {
    const n = 1600
    const data = new Float32Array(n).map((_, i) => 0.5 * Math.sin(i / 5))
    const { input, pcm } = collect({})
    input.write(new Uint8Array([...wavHeader(16_000, 1, n * 4, 32, 3), ...new Uint8Array(data.buffer)]))
    expectPrefixOf(pcm(), data, n)
  })

  it('refuses a WAV that is not PCM, then accepts a new stream', () => {
    const { input, pcm } = collect({})
    const alaw = wavHeader(8_000, 1, 800, 8, 6)
    expect(() => input.write(alaw)).toThrow(expect.objectContaining({ slug: 'unsupported_audio_format' }))
    // Later plain bytes are refused with the same cause; a new header recovers.
    expect(() => input.write(new Uint8Array(320))).toThrow(/failed earlier/)
    const { bytes, expected } = pcm16(16_000, 1, 0.1)
    input.write(new Uint8Array([...wavHeader(16_000, 1, bytes.length), ...bytes]))
    expectPrefixOf(pcm(), expected, expected.length)
  })

  it('refuses a header that never reaches its data chunk', () => {
    const { input } = collect({})
    const head = wavHeader(16_000, 1, 0).slice(0, 36)
    input.write(head)
    const junkChunk = new Uint8Array(70_000)
    new DataView(junkChunk.buffer).setUint32(0, 0x6b6e756a) // "junk"
    new DataView(junkChunk.buffer).setUint32(4, 69_992, true)
    expect(() => input.write(junkChunk)).toThrow(expect.objectContaining({ slug: 'invalid_wav' }))
  })
})
