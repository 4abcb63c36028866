/**
 * Interleaved integer or float PCM arriving in arbitrary pieces → 16 kHz mono float. A sample frame
 * split across two messages (an odd byte count, half a stereo frame) is kept until the rest arrives.
 */
import { AudioInputError } from './turns.types.js'
import { StreamResampler } from './stream-resampler.js'

export type SampleFormat = 's16' | 's24' | 's32' | 'f32' | 'u8'

export interface PcmFormat {
  sampleRate: number
  channels: number
  sample: SampleFormat
}

/** What a client may declare: 8 kHz telephony up to studio rates, up to 8 channels (7.1). */
export const MIN_SAMPLE_RATE = 8_000
export const MAX_SAMPLE_RATE = 192_000
export const MAX_CHANNELS = 8

const BYTES: Record<SampleFormat, number> = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4 }

export function checkPcmFormat(f: { sampleRate: number; channels: number }, what: string): void {
  if (!Number.isInteger(f.sampleRate) || f.sampleRate < MIN_SAMPLE_RATE || f.sampleRate > MAX_SAMPLE_RATE) {
    throw new AudioInputError(
      'invalid_audio_format',
      `${what}: sample_rate must be an integer from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz, got ${f.sampleRate}`,
    )
  }
  if (!Number.isInteger(f.channels) || f.channels < 1 || f.channels > MAX_CHANNELS) {
    throw new AudioInputError(
      'invalid_audio_format',
      `${what}: channels must be an integer from 1 to ${MAX_CHANNELS}, got ${f.channels}`,
    )
  }
}

export class PcmStream {
  private readonly frameBytes: number
  private readonly resampler: StreamResampler
  private rest = new Uint8Array(0)

  constructor(
    readonly format: PcmFormat,
    private readonly onPcm: (pcm16k: Float32Array) => void,
  ) {
    this.frameBytes = BYTES[format.sample] * format.channels
    this.resampler = new StreamResampler(format.sampleRate)
  }

  /** True when no partial frame is waiting: a message starting here starts on a frame boundary. */
  get aligned(): boolean {
    return this.rest.length === 0
  }

  write(bytes: Uint8Array): void {
    let data = bytes
    if (this.rest.length > 0) {
      data = new Uint8Array(this.rest.length + bytes.length)
      data.set(this.rest)
      data.set(bytes, this.rest.length)
    }
    const frames = Math.floor(data.length / this.frameBytes)
    this.rest = data.slice(frames * this.frameBytes)
    if (frames === 0) return
    const mono = this.mix(data, frames)
    const out = this.resampler.push(mono)
    if (out.length > 0) this.onPcm(out)
  }

  /** Emits the resampler's tail (the stream is ending or changing format); a partial frame is dropped. */
  flush(): void {
    this.rest = new Uint8Array(0)
    const out = this.resampler.flush()
    if (out.length > 0) this.onPcm(out)
  }

  private mix(data: Uint8Array, frames: number): Float32Array {
    const { channels, sample } = this.format
    const view = new DataView(data.buffer, data.byteOffset, frames * this.frameBytes)
    const width = BYTES[sample]
    const read = reader(view, sample)
    const mono = new Float32Array(frames)
    for (let i = 0, at = 0; i < frames; i++) {
      let sum = 0
      for (let c = 0; c < channels; c++, at += width) sum += read(at)
      const v = sum / channels
      // NaN/Inf in float WAV data would poison the VAD's recurrent state for the rest of the chat.
      mono[i] = Number.isFinite(v) ? v : 0
    }
    return mono
  }
}

function reader(v: DataView, sample: SampleFormat): (at: number) => number {
  switch (sample) {
    case 's16':
      return (at) => v.getInt16(at, true) / 32768
    case 's24':
      return (at) => ((v.getUint8(at) | (v.getUint8(at + 1) << 8) | (v.getInt8(at + 2) << 16)) >> 0) / 8388608
    case 's32':
      return (at) => v.getInt32(at, true) / 2147483648
    case 'f32':
      return (at) => v.getFloat32(at, true)
    case 'u8':
      return (at) => (v.getUint8(at) - 128) / 128
  }
}
