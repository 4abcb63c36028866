/**
 * Browser MediaRecorder audio (WebM/Matroska with Opus, or Vorbis) decoded in-process by
 * `@audio/decode-webm` (libopus compiled to WebAssembly), which keeps its demuxer state between
 * chunks, so each `audio_input` message decodes as it arrives.
 *
 * Chosen over one ffmpeg child per chat for the browser path (measured on the 2-core dev machine):
 * an ffmpeg child costs ~50 MB resident and ~250 ms before its first audio, this decoder ~1 MB and
 * under 1 ms of CPU per 100 ms message (small enough for the event loop), and the most common
 * client then needs no ffmpeg on the server. Containers it cannot read (Safari's MP4, Ogg) go
 * through ffmpeg (ffmpeg-decoder.ts). A recorder restarted before the decoder's WebAssembly has
 * started (the first few ms of a chat) loses what it sent until then.
 */
import { decoder as loadWasmDecoder } from '@audio/decode-webm'
import { mixDown } from '../../../expression/prosody/resample.js'
import type { DecoderEvents, StreamDecoder } from './stream-decoder.js'
import { StreamResampler } from './stream-resampler.js'
import { AudioInputError } from './turns.types.js'

type Wasm = Awaited<ReturnType<typeof loadWasmDecoder>>

/** The EBML header with its DocType fits well inside this many bytes. */
const DOCTYPE_WITHIN = 64

export interface WebmDecoderOptions extends DecoderEvents {
  /**
   * Input that has not yet produced audio (queued while the decoder starts, or a stream that never
   * reaches a decodable block) beyond this is refused: the demuxer would otherwise buffer it all.
   */
  maxPendingBytes: number
}

export function createWebmDecoder(opts: WebmDecoderOptions): StreamDecoder {
  return new WebmStreamDecoder(opts)
}

class WebmStreamDecoder implements StreamDecoder {
  private wasm: Wasm | undefined
  private queue: Uint8Array[] = []
  private pending = 0
  private closed = false
  private resampler: StreamResampler | undefined
  /** The stream's first bytes until its DocType has been seen. */
  private head: Uint8Array | undefined = new Uint8Array(0)

  constructor(private readonly opts: WebmDecoderOptions) {
    loadWasmDecoder().then(
      (wasm) => {
        if (this.closed) return wasm.free()
        this.wasm = wasm
        const queued = this.queue
        this.queue = []
        try {
          for (const q of queued) this.decode(q)
        } catch (err) {
          this.fail(err as Error)
        }
      },
      (err: unknown) =>
        this.fail(new AudioInputError('audio_decoder_unavailable', `the WebM decoder did not start: ${String(err)}`)),
    )
  }

  write(bytes: Uint8Array): void {
    if (this.closed) return
    if (this.head !== undefined) this.checkDocType(bytes)
    this.pending += bytes.length
    if (this.pending > this.opts.maxPendingBytes) {
      this.close()
      throw new AudioInputError(
        'audio_decode_failed',
        `${this.pending} bytes of WebM audio decoded to no sound (limit ${this.opts.maxPendingBytes}): the stream is not audio the server can read`,
      )
    }
    if (!this.wasm) {
      // Copied: the caller's buffer may be reused for the next message before the decoder starts.
      this.queue.push(bytes.slice())
      return
    }
    this.decode(bytes)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.queue = []
    this.wasm?.free()
    this.wasm = undefined
  }

  /**
   * The EBML header (the first few dozen bytes) names the document type. Anything but WebM/Matroska is
   * refused at once; the demuxer would otherwise wait for an element size read from garbage.
   */
  private checkDocType(bytes: Uint8Array): void {
    const head = new Uint8Array(this.head!.length + bytes.length)
    head.set(this.head!)
    head.set(bytes, this.head!.length)
    const text = Buffer.from(head.buffer, head.byteOffset, head.length).toString('latin1')
    if (text.includes('webm') || text.includes('matroska')) {
      this.head = undefined
    } else if (head.length >= DOCTYPE_WITHIN) {
      this.close()
      throw new AudioInputError('audio_decode_failed', 'the audio starts like WebM but is not a WebM/Matroska stream')
    } else {
      this.head = head
    }
  }

  private decode(bytes: Uint8Array): void {
    let out: { channelData: Float32Array[]; sampleRate: number }
    try {
      out = this.wasm!.decode(bytes)
    } catch (err) {
      this.close()
      throw new AudioInputError('audio_decode_failed', `the WebM audio could not be decoded: ${(err as Error).message}`)
    }
    const mono = mixDown(out.channelData)
    if (mono.length === 0 || !(out.sampleRate > 0)) return
    this.pending = 0
    if (this.resampler?.fromRate !== out.sampleRate) this.resampler = new StreamResampler(out.sampleRate)
    const pcm = this.resampler.push(mono)
    if (pcm.length > 0) this.opts.onPcm(pcm)
  }

  private fail(err: Error): void {
    if (this.closed) return
    this.close()
    this.opts.onError(err)
  }
}
