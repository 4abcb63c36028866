/**
 * Audio files to the 16 kHz mono float PCM every audio model here reads, with `audio-decode`
 * (pure JS/wasm: no native codec libraries to install). Decoding goes chunk by chunk so a file
 * that turns out longer than allowed is refused as soon as that is known, not after it has been
 * expanded into gigabytes of float samples; WAV, FLAC and Xing-tagged MP3 are refused from their
 * headers before any decoding.
 */
import decode, { type StreamDecoder } from 'audio-decode'
import { declaredLength } from './declared-length.js'
import { MediaError, mediaErrors } from './media-error.js'
import { TARGET_RATE, toMono16k } from '../prosody/resample.js'
import { classifyMedia } from './signatures.js'

export interface DecodeAudioOptions {
  /** Longest accepted audio; Hume allows up to one hour. */
  maxSeconds: number
  signal?: AbortSignal
}

export interface DecodedAudio {
  /** 16 kHz mono. */
  pcm: Float32Array
  seconds: number
}

export const PCM_RATE = TARGET_RATE

const CHUNK = 256 * 1024

/** Decoder module names of audio-decode for the formats this server takes in. */
function decoderFor(head: Buffer): string | undefined {
  const kind = classifyMedia(head)
  switch (kind?.mime) {
    case 'audio/wav':
      return 'wav'
    case 'audio/mpeg':
      return 'mp3'
    case 'audio/flac':
      return 'flac'
    case 'audio/aac':
      return 'aac'
    case 'audio/ogg':
      if (head.includes('OpusHead', 0, 'latin1')) return 'opus'
      if (head.includes('\x01vorbis', 0, 'latin1')) return 'oga'
      return undefined
    case 'audio/mp4':
    case 'video/mp4':
    case 'video/quicktime':
      return 'm4a'
    case 'video/webm':
      return 'webm'
    case 'video/x-matroska':
      return 'mkv'
    case 'video/x-msvideo':
      return 'avi'
    default:
      return undefined
  }
}

/** Whether `decodeAudio` has a decoder for what these first bytes say the file is. */
export function canDecodeAudio(head: Uint8Array): boolean {
  return decoderFor(Buffer.from(head.buffer, head.byteOffset, head.byteLength)) !== undefined
}

/**
 * Decodes a whole audio file. Throws MediaError when it is empty, unreadable, cut short, longer
 * than `maxSeconds`, or cancelled. Silence is valid audio.
 */
export async function decodeAudio(data: Uint8Array, opts: DecodeAudioOptions): Promise<DecodedAudio> {
  if (data.byteLength === 0) throw mediaErrors.empty('the audio file')
  const head = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 512))
  const format = decoderFor(head)
  if (!format) throw mediaErrors.unsupported('the audio file')
  const declared = declaredLength(data, format)
  if (declared.seconds !== undefined && declared.seconds > opts.maxSeconds) {
    throw mediaErrors.tooLong(declared.seconds, opts.maxSeconds)
  }
  const { mono, rate } = await decodeMono(data, format, opts)
  const seconds = mono.length / rate
  if (mono.length === 0) throw mediaErrors.corrupt('the audio file')
  if (declared.truncated || (declared.seconds !== undefined && seconds < declared.seconds - 0.1)) {
    throw new MediaError(
      'corrupt',
      `the audio file is truncated: it holds ${seconds.toFixed(2)} s` +
        (declared.seconds === undefined ? '' : ` of the ${declared.seconds.toFixed(2)} s it declares`),
    )
  }
  const pcm = toMono16k([mono], rate)
  return { pcm, seconds: pcm.length / PCM_RATE }
}

async function decodeMono(
  data: Uint8Array,
  format: string,
  opts: DecodeAudioOptions,
): Promise<{ mono: Float32Array; rate: number }> {
  const open = (decode as unknown as Record<string, () => Promise<StreamDecoder>>)[format]
  if (!open) throw mediaErrors.unsupported('the audio file')
  const dec = await open()
  const parts: Float32Array[] = []
  let rate = 0
  let total = 0
  const take = (channels: Float32Array[], sampleRate: number) => {
    if (channels.length === 0 || !channels[0]?.length) return
    if (rate === 0) rate = sampleRate
    else if (sampleRate !== rate) throw new MediaError('corrupt', 'the audio file changes sample rate midway')
    const mono = downmix(channels)
    parts.push(mono)
    total += mono.length
    if (total > opts.maxSeconds * rate + rate * 0.05) throw mediaErrors.tooLong(null, opts.maxSeconds)
  }
  let finished = false
  try {
    for (let off = 0; off < data.byteLength; off += CHUNK) {
      if (opts.signal?.aborted) throw mediaErrors.aborted(opts.signal.reason)
      const r = await dec(data.subarray(off, Math.min(off + CHUNK, data.byteLength)))
      take(r.channelData, r.sampleRate)
    }
    finished = true
    const last = await dec()
    take(last.channelData, last.sampleRate)
  } catch (err) {
    if (!finished) dec.free()
    if (err instanceof MediaError) throw err
    throw mediaErrors.corrupt('the audio file', err)
  }
  const mono = new Float32Array(total)
  let at = 0
  for (const p of parts) {
    mono.set(p, at)
    at += p.length
  }
  return { mono, rate }
}

function downmix(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return Float32Array.from(channels[0]!)
  const n = channels[0]!.length
  const out = new Float32Array(n)
  for (const ch of channels) for (let i = 0; i < n; i++) out[i]! += ch[i] ?? 0
  for (let i = 0; i < n; i++) out[i]! /= channels.length
  return out
}
