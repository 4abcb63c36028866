/**
 * The client's `audio_input` bytes → 16 kHz mono, whatever the client sends:
 *
 * - a self-describing stream is recognised from its first bytes, whatever the session settings say
 *   (a container's own header is more reliable than a declaration): RIFF/WAVE (its header gives rate,
 *   channels and sample format; a message that starts a new WAV file starts over, for clients that
 *   send one small WAV per message), WebM/Matroska (browser MediaRecorder, decoded in-process), and
 *   Ogg, MP4 (Safari's MediaRecorder), FLAC and ID3-tagged MP3 (through an ffmpeg child);
 * - anything else is raw linear16 (signed 16-bit little-endian, interleaved) at the session's
 *   `sample_rate` and `channels`. Hume requires `session_settings.audio` for raw linear16; when a
 *   client sends none, Prosodia assumes 16 kHz mono (DEFAULT_LINEAR16), the rate speech recognisers
 *   and telephony bridges produce most, rather than refusing the chat.
 *
 * Only strong signatures are sniffed (4+ magic bytes): raw PCM that starts with a quiet sample such
 * as FF FF 00 00 would pass for an MPEG frame header, so bare MP3/AAC frames are not recognised.
 */
import { classifyMedia, demuxerFor } from '../../../expression/media/signatures.js'
import { createFfmpegDecoder } from './ffmpeg-decoder.js'
import { checkPcmFormat, PcmStream } from './pcm-stream.js'
import type { StreamDecoder } from './stream-decoder.js'
import { AudioInputError, type AudioInput, type AudioInputFormat } from './turns.types.js'
import { isWavStart, parseWavHeader } from './wav-header.js'
import { createWebmDecoder } from './webm-decoder.js'

export interface AudioInputLimits {
  /**
   * Compressed bytes accepted but not yet decoded (ffmpeg's stdin, WebM without a decodable block
   * yet). 1 MiB is over a minute of 128 kbit/s Opus: a stream this far behind is refused, not buffered.
   */
  maxPendingBytes: number
}

export const DEFAULT_AUDIO_INPUT_LIMITS: AudioInputLimits = Object.freeze({ maxPendingBytes: 1024 * 1024 })

/** Raw linear16 without session settings. */
export const DEFAULT_LINEAR16 = Object.freeze({ sampleRate: 16_000, channels: 1 })

export interface AudioInputOptions {
  /** 16 kHz mono samples in order; called synchronously from `write` except for ffmpeg-decoded streams. */
  onPcm(pcm16k: Float32Array): void
  /** A stream failed after `write` returned (ffmpeg exited, a decoder did not start): an AudioInputError. */
  onError(err: Error): void
  /** The ffmpeg binary (config.media.ffmpeg), needed only for containers other than WAV and WebM. */
  ffmpeg: string
  limits?: AudioInputLimits
}

/** Enough for every signature sniffed here ("RIFF....WAVE", "....ftyp"). */
const SNIFF_BYTES = 12

type Mode =
  | { kind: 'sniff'; head: Uint8Array }
  | { kind: 'wav_header'; head: Uint8Array }
  /** `left`: bytes of the WAV data chunk still to come (Infinity for raw or an open-ended WAV). */
  | { kind: 'pcm'; pcm: PcmStream; left: number; raw: boolean }
  | { kind: 'decoder'; decoder: StreamDecoder; webm: boolean }
  | { kind: 'failed'; error: AudioInputError }
  | { kind: 'closed' }

const EMPTY = new Uint8Array(0)

export function createAudioInput(format: AudioInputFormat, opts: AudioInputOptions): AudioInput {
  return new StreamingAudioInput(format, opts)
}

class StreamingAudioInput implements AudioInput {
  private mode: Mode = { kind: 'sniff', head: EMPTY }
  private format: AudioInputFormat
  /** Bumped whenever a decoder is replaced, so a dying decoder's late output is dropped. */
  private generation = 0
  private readonly limits: AudioInputLimits

  constructor(
    format: AudioInputFormat,
    private readonly opts: AudioInputOptions,
  ) {
    this.format = checkFormat(format)
    this.limits = opts.limits ?? DEFAULT_AUDIO_INPUT_LIMITS
  }

  write(bytes: Uint8Array): void {
    const mode = this.mode
    if (mode.kind === 'closed' || bytes.length === 0) return
    if (mode.kind === 'failed') {
      // A client that restarts its recorder (a new container header) gets a fresh stream.
      if (!startsContainer(bytes)) {
        throw new AudioInputError(mode.error.slug, `the audio stream failed earlier: ${mode.error.message}`)
      }
      this.restart()
    } else if (mode.kind === 'pcm' && (mode.pcm.aligned || mode.left === 0) && isWavStart(bytes)) {
      mode.pcm.flush()
      this.restart()
    } else if (mode.kind === 'decoder' && mode.webm && isEbml(bytes)) {
      // MediaRecorder restarted: the old demuxer cannot read a second header. Its undecoded tail is lost.
      this.restart()
    }
    try {
      this.feed(bytes)
    } catch (err) {
      // Anything else is a bug here or in the caller's onPcm, not the client's audio: passed on as is.
      if (err instanceof AudioInputError) this.fail(err)
      throw err
    }
  }

  reformat(format: AudioInputFormat): void {
    const next = checkFormat(format)
    const mode = this.mode
    if (mode.kind === 'closed') return
    const same = next.sampleRate === this.format.sampleRate && next.channels === this.format.channels
    this.format = next
    if (same) return
    // Settings describe raw linear16 only; a self-describing stream already in progress keeps its own format.
    if (mode.kind === 'pcm' && mode.raw) {
      mode.pcm.flush()
      this.mode = { kind: 'pcm', pcm: this.pcmStream(rawFormat(next)), left: Infinity, raw: true }
    } else if (mode.kind === 'failed') {
      this.restart()
    }
  }

  close(): void {
    this.stopDecoder()
    this.mode = { kind: 'closed' }
  }

  private feed(bytes: Uint8Array): void {
    const mode = this.mode
    switch (mode.kind) {
      case 'sniff': {
        const head = concat(mode.head, bytes)
        if (head.length < SNIFF_BYTES) {
          this.mode = { kind: 'sniff', head }
          return
        }
        return this.start(head)
      }
      case 'wav_header': {
        const head = concat(mode.head, bytes)
        const header = parseWavHeader(head)
        if (!header) {
          this.mode = { kind: 'wav_header', head }
          return
        }
        const pcm = this.pcmStream(header.format)
        this.mode = { kind: 'pcm', pcm, left: header.dataBytes ?? Infinity, raw: false }
        return this.feedPcm(head.subarray(header.dataOffset))
      }
      case 'pcm':
        // Audio after a WAV's declared end in a later message: a client that wrote one header with a
        // short length and kept streaming. Bytes after the end within the same message are trailing
        // chunks (LIST, id3) of a WAV file and are skipped.
        if (mode.left === 0) mode.left = Infinity
        return this.feedPcm(bytes)
      case 'decoder':
        return mode.decoder.write(bytes)
      case 'failed':
      case 'closed':
        return
    }
  }

  private feedPcm(bytes: Uint8Array): void {
    const mode = this.mode
    if (mode.kind !== 'pcm') return
    const take = Math.min(bytes.length, mode.left)
    mode.left -= take
    mode.pcm.write(take === bytes.length ? bytes : bytes.subarray(0, take))
  }

  private start(head: Uint8Array): void {
    if (isWavStart(head)) {
      this.mode = { kind: 'wav_header', head: EMPTY }
      return this.feed(head)
    }
    const container = containerOf(head)
    if (container) {
      const gen = ++this.generation
      const events = {
        onPcm: (pcm: Float32Array) => {
          if (gen === this.generation) this.opts.onPcm(pcm)
        },
        onError: (err: Error) => {
          if (gen !== this.generation) return
          const e = err instanceof AudioInputError ? err : new AudioInputError('audio_decode_failed', err.message)
          this.mode = { kind: 'failed', error: e }
          this.opts.onError(e)
        },
      }
      const maxPendingBytes = this.limits.maxPendingBytes
      const webm = container === 'webm'
      const decoder = webm
        ? createWebmDecoder({ ...events, maxPendingBytes })
        : createFfmpegDecoder({ ...events, maxPendingBytes, ffmpeg: this.opts.ffmpeg, demuxer: container })
      this.mode = { kind: 'decoder', decoder, webm }
      return decoder.write(head)
    }
    this.mode = { kind: 'pcm', pcm: this.pcmStream(rawFormat(this.format)), left: Infinity, raw: true }
    this.feedPcm(head)
  }

  private pcmStream(format: ConstructorParameters<typeof PcmStream>[0]): PcmStream {
    return new PcmStream(format, (pcm) => this.opts.onPcm(pcm))
  }

  private restart(): void {
    this.stopDecoder()
    this.mode = { kind: 'sniff', head: EMPTY }
  }

  private fail(error: AudioInputError): void {
    this.stopDecoder()
    this.mode = { kind: 'failed', error }
  }

  private stopDecoder(): void {
    this.generation++
    if (this.mode.kind === 'decoder') this.mode.decoder.close()
  }
}

function checkFormat(f: AudioInputFormat): AudioInputFormat {
  if (f.encoding !== undefined && f.encoding !== 'linear16') {
    throw new AudioInputError('invalid_audio_format', `audio encoding must be linear16, got ${String(f.encoding)}`)
  }
  checkPcmFormat(rawFormat(f), 'session_settings.audio')
  return { ...f }
}

function rawFormat(f: AudioInputFormat) {
  return {
    sampleRate: f.sampleRate ?? DEFAULT_LINEAR16.sampleRate,
    channels: f.channels ?? DEFAULT_LINEAR16.channels,
    sample: 's16' as const,
  }
}

function isEbml(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3
}

/** 'webm' (decoded in-process), an ffmpeg demuxer name, or undefined for raw PCM. */
function containerOf(head: Uint8Array): string | undefined {
  if (isEbml(head)) return 'webm'
  const kind = classifyMedia(Buffer.from(head.buffer, head.byteOffset, head.byteLength))
  switch (kind?.mime) {
    case 'audio/ogg':
    case 'video/ogg':
    case 'audio/mp4':
    case 'video/mp4':
    case 'video/quicktime':
    case 'audio/flac':
      return demuxerFor(kind.mime)
    case 'audio/mpeg':
      // Only with an ID3 tag: a bare frame-sync pattern is too easily raw PCM (see the file comment).
      return head[0] === 0x49 && head[1] === 0x44 && head[2] === 0x33 ? demuxerFor(kind.mime) : undefined
    default:
      return undefined
  }
}

function startsContainer(b: Uint8Array): boolean {
  return b.length >= SNIFF_BYTES && (isWavStart(b) || containerOf(b) !== undefined)
}

/** Always a new array: the caller's message buffer may be reused once `write` returns. */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
