/**
 * Containers the in-process WebM decoder cannot read (Safari's MediaRecorder MP4/AAC, Ogg/Opus,
 * FLAC, MP3) decoded by one Debian ffmpeg child per chat, fed through its stdin as messages arrive.
 *
 * Hardened like the batch media path (media/ffmpeg.ts): an argument array and no shell, the demuxer
 * named by our own sniffing and whitelisted, only the `pipe` protocol (so no input can make ffmpeg
 * open files or URLs), `-nostdin` so ffmpeg never reads commands from its input, stderr kept only
 * up to a bound, and the child killed when the chat closes or the stream fails.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { stderrReason } from '../../../expression/media/tool-process.js'
import type { DecoderEvents, StreamDecoder } from './stream-decoder.js'
import { AudioInputError } from './turns.types.js'

const STDERR_LIMIT = 8 * 1024

export interface FfmpegDecoderOptions extends DecoderEvents {
  /** The ffmpeg binary (config.media.ffmpeg). */
  ffmpeg: string
  /** ffmpeg demuxer name from our own sniffing (media/signatures.ts demuxerFor). */
  demuxer: string
  /** Bytes written to ffmpeg and not yet read by it; beyond this the stream is refused, not buffered. */
  maxPendingBytes: number
}

export const NO_FFMPEG_AUDIO_MESSAGE =
  'this audio format needs ffmpeg on the server (Debian: apt install ffmpeg); send WebM/Opus or linear16 audio instead'

export function ffmpegDecoderArgs(demuxer: string): string[] {
  return [
    '-nostdin',
    '-hide_banner',
    '-v',
    'error',
    '-threads',
    '1',
    // A live stream has nothing later to probe: the defaults (5 MB or 5 s) would hold back the first
    // seconds of speech until that much had arrived.
    '-probesize',
    '32',
    '-analyzeduration',
    '0',
    '-fflags',
    'nobuffer',
    '-protocol_whitelist',
    'pipe',
    '-format_whitelist',
    demuxer,
    '-f',
    demuxer,
    '-i',
    'pipe:0',
    '-map',
    '0:a:0',
    '-vn',
    '-sn',
    '-dn',
    '-ac',
    '1',
    '-ar',
    '16000',
    // f32le: the samples the pipeline uses, with no conversion on our side.
    '-f',
    'f32le',
    // Each decoded packet is written at once rather than when a 32 KB output buffer fills (~0.5 s).
    '-flush_packets',
    '1',
    'pipe:1',
  ]
}

export function createFfmpegDecoder(opts: FfmpegDecoderOptions): StreamDecoder {
  return new FfmpegStreamDecoder(opts)
}

class FfmpegStreamDecoder implements StreamDecoder {
  private readonly child: ChildProcessWithoutNullStreams
  private closed = false
  private stderr = ''
  private rest = new Uint8Array(0)

  constructor(private readonly opts: FfmpegDecoderOptions) {
    this.child = spawn(opts.ffmpeg, ffmpegDecoderArgs(opts.demuxer), { stdio: 'pipe', windowsHide: true })
    this.child.on('error', (err: NodeJS.ErrnoException) => {
      this.fail(
        err.code === 'ENOENT'
          ? new AudioInputError('no_ffmpeg', NO_FFMPEG_AUDIO_MESSAGE)
          : new AudioInputError('audio_decoder_unavailable', `ffmpeg could not be started: ${err.message}`),
      )
    })
    // EPIPE when ffmpeg has already exited: the exit handler reports why.
    this.child.stdin.on('error', () => undefined)
    this.child.stdout.on('data', (chunk: Buffer) => this.output(chunk))
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_LIMIT)
    })
    this.child.on('close', (code, signal) => {
      if (this.closed) return
      const reason = stderrReason(this.stderr, 'pipe:0')
      this.fail(
        new AudioInputError(
          'audio_decode_failed',
          `the audio stream could not be decoded${reason ? `: ${reason}` : ''} (ffmpeg exited with ${code ?? signal})`,
        ),
      )
    })
  }

  write(bytes: Uint8Array): void {
    if (this.closed) return
    const waiting = this.child.stdin.writableLength + bytes.length
    if (waiting > this.opts.maxPendingBytes) {
      this.close()
      throw new AudioInputError(
        'audio_backlog',
        `${waiting} bytes of audio are waiting to be decoded (limit ${this.opts.maxPendingBytes}): audio arrives faster than the server decodes it`,
      )
    }
    // Copied: the pipe keeps a reference until it is flushed and the caller may reuse its buffer.
    this.child.stdin.write(Buffer.from(bytes))
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.child.stdin.destroy()
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }

  private output(chunk: Buffer): void {
    if (this.closed) return
    let data: Uint8Array = chunk
    if (this.rest.length > 0) {
      data = new Uint8Array(this.rest.length + chunk.length)
      data.set(this.rest)
      data.set(chunk, this.rest.length)
    }
    const whole = data.length - (data.length % 4)
    this.rest = data.slice(whole)
    if (whole === 0) return
    // A fresh, aligned copy: Buffer chunks may sit at any offset of a shared pool.
    const pcm = new Float32Array(whole / 4)
    new Uint8Array(pcm.buffer).set(data.subarray(0, whole))
    this.opts.onPcm(pcm)
  }

  private fail(err: Error): void {
    if (this.closed) return
    this.close()
    this.opts.onError(err)
  }
}
