// Decoders used by the TTS tests to prove audio is real: WAV headers, MP3 frame walking, RMS.

export interface Wav {
  sampleRate: number
  channels: number
  bitsPerSample: number
  /** Declared data size; 0xFFFFFFFF for streamed WAVs of unknown length. */
  declaredBytes: number
  samples: Float32Array
}

export function parseWav(buf: Buffer): Wav {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('not a RIFF/WAVE file')
  let off = 12
  let fmt: { sampleRate: number; channels: number; bits: number } | undefined
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4)
    const size = buf.readUInt32LE(off + 4)
    if (id === 'fmt ')
      fmt = {
        channels: buf.readUInt16LE(off + 10),
        sampleRate: buf.readUInt32LE(off + 12),
        bits: buf.readUInt16LE(off + 22),
      }
    if (id === 'data') {
      if (!fmt) throw new Error('data before fmt')
      return {
        sampleRate: fmt.sampleRate,
        channels: fmt.channels,
        bitsPerSample: fmt.bits,
        declaredBytes: size,
        samples: pcm16(buf.subarray(off + 8)),
      }
    }
    off += 8 + size
  }
  throw new Error('no data chunk')
}

export function pcm16(buf: Buffer): Float32Array {
  const n = Math.floor(buf.length / 2)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(i * 2) / 32768
  return out
}

export function rms(samples: Float32Array): number {
  let s = 0
  for (const x of samples) s += x * x
  return Math.sqrt(s / Math.max(1, samples.length))
}

const MP3_BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
const MP3_BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
const MP3_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
}

/** Walks Layer III frames from the start; throws if the stream is not back-to-back valid frames. */
export function parseMp3(buf: Buffer): { frames: number; sampleRate: number; durationS: number } {
  let off = 0
  let frames = 0
  let sampleRate = 0
  let samples = 0
  if (buf.toString('ascii', 0, 3) === 'ID3') off = 10 + ((buf[6]! << 21) | (buf[7]! << 14) | (buf[8]! << 7) | buf[9]!)
  while (off + 4 <= buf.length) {
    const h = buf.readUInt32BE(off)
    if (h >>> 21 !== 0x7ff) throw new Error(`no MP3 frame sync at byte ${off}`)
    const version = (h >>> 19) & 3
    const layer = (h >>> 17) & 3
    if (layer !== 1 || version === 1) throw new Error(`not MPEG Layer III at byte ${off}`)
    const rate = MP3_RATES[version]![(h >>> 10) & 3]!
    const kbps = (version === 3 ? MP3_BITRATES_V1 : MP3_BITRATES_V2)[(h >>> 12) & 15]!
    const padding = (h >>> 9) & 1
    const perFrame = version === 3 ? 1152 : 576
    const len = Math.floor(((perFrame / 8) * kbps * 1000) / rate) + padding
    if (len <= 4) throw new Error(`bad frame length at byte ${off}`)
    sampleRate = rate
    samples += perFrame
    frames++
    off += len
  }
  return { frames, sampleRate, durationS: samples / Math.max(1, sampleRate) }
}
