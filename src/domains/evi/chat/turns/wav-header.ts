/**
 * The header of a WAV stream, read from however many bytes have arrived. Clients that record with a
 * WAV writer send the RIFF header once at the start (streaming writers put 0 or 0xFFFFFFFF as the
 * data size); others send every message as a small WAV file. Both are handled by the caller on top
 * of this: it parses a header at the start of the stream and at the start of any message that
 * begins with one.
 */
import { AudioInputError } from './turns.types.js'
import { checkPcmFormat, type PcmFormat, type SampleFormat } from './pcm-stream.js'

/** A header with more chunks before `data` than this is not a live audio stream. */
export const MAX_WAV_HEADER_BYTES = 64 * 1024

export interface WavHeader {
  format: PcmFormat
  /** Where the samples start. */
  dataOffset: number
  /** Bytes of samples the header declares, or undefined when it leaves the length open (streaming). */
  dataBytes: number | undefined
}

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to))

export function isWavStart(b: Uint8Array): boolean {
  return b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WAVE'
}

/** The header, or undefined while its `data` chunk has not arrived yet. Throws AudioInputError. */
export function parseWavHeader(b: Uint8Array): WavHeader | undefined {
  if (!isWavStart(b)) throw bad('the stream does not start with a RIFF/WAVE header')
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  let format: PcmFormat | undefined
  let at = 12
  while (at + 8 <= b.length) {
    const id = ascii(b, at, at + 4)
    const size = view.getUint32(at + 4, true)
    const body = at + 8
    if (id === 'data') {
      if (!format) throw bad('the WAV data chunk comes before its fmt chunk')
      const open = size === 0 || size === 0xffffffff
      return { format, dataOffset: body, dataBytes: open ? undefined : size }
    }
    if (body + size > MAX_WAV_HEADER_BYTES) throw bad(`the WAV header is longer than ${MAX_WAV_HEADER_BYTES} bytes`)
    if (body + size > b.length) break
    if (id === 'fmt ') format = readFmt(view, body, size)
    at = body + size + (size % 2)
  }
  if (b.length > MAX_WAV_HEADER_BYTES) throw bad(`the WAV header is longer than ${MAX_WAV_HEADER_BYTES} bytes`)
  return undefined
}

function readFmt(v: DataView, at: number, size: number): PcmFormat {
  if (size < 16) throw bad('the WAV fmt chunk is truncated')
  let code = v.getUint16(at, true)
  // WAVE_FORMAT_EXTENSIBLE: the real format code opens the sub-format GUID.
  if (code === 0xfffe && size >= 26) code = v.getUint16(at + 24, true)
  const channels = v.getUint16(at + 2, true)
  const sampleRate = v.getUint32(at + 4, true)
  const bits = v.getUint16(at + 14, true)
  const sample = sampleFormat(code, bits)
  if (!sample) {
    throw new AudioInputError(
      'unsupported_audio_format',
      `WAV audio must be PCM (8, 16, 24 or 32-bit) or 32-bit float; got format ${code} with ${bits} bits`,
    )
  }
  const format = { sampleRate, channels, sample }
  checkPcmFormat(format, 'the WAV header')
  return format
}

function sampleFormat(code: number, bits: number): SampleFormat | undefined {
  if (code === 1) return ({ 8: 'u8', 16: 's16', 24: 's24', 32: 's32' } as const)[bits]
  if (code === 3 && bits === 32) return 'f32'
  return undefined
}

const bad = (message: string) => new AudioInputError('invalid_wav', message)
