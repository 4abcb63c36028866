/**
 * A minimal RIFF/WAVE reader (PCM 8/16/24/32-bit integer, 32/64-bit float) for the training script and the
 * evaluation tests: the corpora are plain WAV, and reading them synchronously keeps training deterministic
 * and free of the decoder the media intake uses for every other format.
 */
import { readFileSync } from 'node:fs'

export interface PcmAudio {
  sampleRate: number
  channels: Float32Array[]
}

export function readWavFile(path: string): PcmAudio {
  return parseWav(readFileSync(path))
}

export function parseWav(buf: Buffer): PcmAudio {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file')
  }
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined
  let offset = 12
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4)
    const size = buf.readUInt32LE(offset + 4)
    const body = offset + 8
    if (id === 'fmt ') {
      let format = buf.readUInt16LE(body)
      // WAVE_FORMAT_EXTENSIBLE: the real format code is the first two bytes of the sub-format GUID.
      if (format === 0xfffe && size >= 26) format = buf.readUInt16LE(body + 24)
      fmt = {
        format,
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      }
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAV data chunk before fmt chunk')
      const end = Math.min(buf.length, body + size)
      return { sampleRate: fmt.rate, channels: decode(buf.subarray(body, end), fmt) }
    }
    offset = body + size + (size % 2)
  }
  throw new Error('WAV file has no data chunk')
}

function decode(data: Buffer, fmt: { format: number; channels: number; bits: number }): Float32Array[] {
  const bytes = fmt.bits / 8
  const nch = fmt.channels
  if (nch < 1 || !Number.isInteger(bytes) || bytes < 1) throw new Error('unsupported WAV layout')
  const frames = Math.floor(data.length / (bytes * nch))
  const out = Array.from({ length: nch }, () => new Float32Array(frames))
  const read = reader(data, fmt.format, fmt.bits)
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) out[c]![i] = read((i * nch + c) * bytes)
  }
  return out
}

function reader(d: Buffer, format: number, bits: number): (at: number) => number {
  if (format === 1 && bits === 16) return (at) => d.readInt16LE(at) / 32768
  if (format === 1 && bits === 8) return (at) => (d.readUInt8(at) - 128) / 128
  if (format === 1 && bits === 24) return (at) => d.readIntLE(at, 3) / 8388608
  if (format === 1 && bits === 32) return (at) => d.readInt32LE(at) / 2147483648
  if (format === 3 && bits === 32) return (at) => d.readFloatLE(at)
  if (format === 3 && bits === 64) return (at) => d.readDoubleLE(at)
  throw new Error(`unsupported WAV encoding (format ${format}, ${bits} bits)`)
}
