/**
 * Video (and audio the JS decoders cannot read) through Debian's ffmpeg/ffprobe. There is no npm
 * package that ships an ffmpeg binary without downloading it, so the server uses the one on the
 * PATH (or a configured path) and says which package to install when it is missing.
 *
 * Hardening, since every input is user-supplied: the demuxer is always named with `-f` from our
 * own sniffing and also whitelisted (ffmpeg never guesses a playlist format such as hls/concat
 * that would make it open other files), only the `file` protocol is allowed, stdin is closed,
 * no shell is involved, and the child is killed on abort, on error and when a reader stops early.
 */
import { open } from 'node:fs/promises'
import { resolve as resolvePath } from 'node:path'
import { MediaError, mediaErrors } from './media-error.js'
import { classifyMedia, demuxerFor, MEDIA_SNIFF_BYTES } from './signatures.js'
import { startTool, stderrReason } from './tool-process.js'

export interface FfmpegBinaries {
  ffmpeg: string
  ffprobe: string
}

export const DEFAULT_FFMPEG: FfmpegBinaries = Object.freeze({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' })

export interface ProbeResult {
  durationSeconds: number | null
  video?: { width: number; height: number; fps: number | null }
  audio?: { sampleRate: number; channels: number }
}

export interface VideoFrame {
  index: number
  /** Seconds from the start of the video. */
  time: number
  /** Packed RGB24, row-major, width * height * 3 bytes. */
  image: { data: Uint8Array; width: number; height: number }
}

export interface VideoFramesOptions {
  /** Frames per second to sample (the model's fps_pred). */
  fps: number
  /** Frames wider than this are scaled down, keeping the aspect ratio. Default 1280. */
  maxWidth?: number
  /** Refuse videos longer than this (MediaError 'too_long'). */
  maxSeconds?: number
  signal?: AbortSignal
  binaries?: FfmpegBinaries
}

export interface ExtractAudioOptions {
  maxSeconds: number
  signal?: AbortSignal
  binaries?: FfmpegBinaries
}

const availability = new Map<string, Promise<boolean>>()

/** Whether both ffmpeg and ffprobe run; the answer is cached per binary pair (per thread). */
export function ffmpegAvailable(binaries: FfmpegBinaries = DEFAULT_FFMPEG): Promise<boolean> {
  const key = `${binaries.ffmpeg}\0${binaries.ffprobe}`
  let known = availability.get(key)
  if (!known) {
    known = Promise.all([runs(binaries.ffmpeg), runs(binaries.ffprobe)]).then(([a, b]) => a && b)
    availability.set(key, known)
  }
  return known
}

async function runs(bin: string): Promise<boolean> {
  const run = startTool(bin, ['-hide_banner', '-version'], AbortSignal.timeout(10_000))
  run.child.stdout.resume()
  try {
    return (await run.exited).code === 0
  } catch {
    return false
  }
}

async function requireFfmpeg(binaries: FfmpegBinaries): Promise<void> {
  if (!(await ffmpegAvailable(binaries))) throw mediaErrors.noFfmpeg()
}

/** The input half of every command line: fixed demuxer, file protocol only. */
async function inputArgs(file: string): Promise<string[]> {
  const fh = await open(file, 'r')
  let head: Buffer
  try {
    const buf = Buffer.alloc(MEDIA_SNIFF_BYTES)
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0)
    head = buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
  if (head.length === 0) throw mediaErrors.empty()
  const kind = classifyMedia(head)
  const demuxer = kind && demuxerFor(kind.mime)
  if (!demuxer) throw mediaErrors.unsupported(kind ? `${kind.mime} media` : 'the file')
  const path = resolvePath(file)
  return ['-protocol_whitelist', 'file', '-format_whitelist', demuxer, '-f', demuxer, '-i', `file:${path}`]
}

interface ProbeStream {
  index: number
  codec_type?: string
  width?: number
  height?: number
  avg_frame_rate?: string
  r_frame_rate?: string
  sample_rate?: string
  channels?: number
  duration?: string
  sample_aspect_ratio?: string
  disposition?: { attached_pic?: number }
  tags?: { rotate?: string }
  side_data_list?: { rotation?: number }[]
}

interface Probed extends ProbeResult {
  videoIndex?: number
  audioIndex?: number
  /** Rotation the decoder applies (degrees), which swaps width and height at 90/270. */
  rotation: number
  sar: number
}

const PROBE_LIMIT = 4 * 1024 * 1024

async function probe(file: string, signal: AbortSignal | undefined, binaries: FfmpegBinaries): Promise<Probed> {
  await requireFfmpeg(binaries)
  const args = ['-hide_banner', '-v', 'error', ...(await inputArgs(file))]
  args.push('-print_format', 'json', '-show_format', '-show_streams')
  const run = startTool(binaries.ffprobe, args, signal)
  const chunks: Buffer[] = []
  let size = 0
  run.child.stdout.on('data', (c: Buffer) => {
    size += c.length
    if (size > PROBE_LIMIT) void run.kill()
    else chunks.push(c)
  })
  const { code } = await run.exited.catch((err: unknown) => {
    throw mediaErrors.corrupt('the media file', err)
  })
  if (signal?.aborted) throw mediaErrors.aborted(signal.reason)
  if (code !== 0 || size > PROBE_LIMIT) throw toolFailure('the media file', run.stderr(), file)
  let json: { format?: { duration?: string }; streams?: ProbeStream[] }
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof json
  } catch (err) {
    throw mediaErrors.corrupt('the media file', err)
  }
  const streams = json.streams ?? []
  const v = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1)
  const a = streams.find((s) => s.codec_type === 'audio')
  const duration = num(json.format?.duration) ?? num(v?.duration) ?? num(a?.duration)
  const out: Probed = { durationSeconds: duration, rotation: 0, sar: 1 }
  if (v && v.width && v.height) {
    out.video = { width: v.width, height: v.height, fps: rate(v.avg_frame_rate) ?? rate(v.r_frame_rate) }
    out.videoIndex = v.index
    const rot = v.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? num(v.tags?.rotate) ?? 0
    out.rotation = ((Math.round(rot) % 360) + 360) % 360
    out.sar = rate(v.sample_aspect_ratio?.replace(':', '/')) ?? 1
  }
  if (a) {
    out.audio = { sampleRate: num(a.sample_rate) ?? 0, channels: a.channels ?? 0 }
    out.audioIndex = a.index
  }
  return out
}

/** Duration and the first video and audio streams (cover art is not video). Throws MediaError. */
export async function probeMedia(
  file: string,
  opts: { signal?: AbortSignal; binaries?: FfmpegBinaries } = {},
): Promise<ProbeResult> {
  const { durationSeconds, video, audio } = await probe(file, opts.signal, opts.binaries ?? DEFAULT_FFMPEG)
  return { durationSeconds, ...(video && { video }), ...(audio && { audio }) }
}

/**
 * Output size: display orientation and square pixels, neither side longer than maxWidth (a
 * 1280 × 60000 video would otherwise make 230 MB frames).
 */
export function frameSize(p: { width: number; height: number; rotation: number; sar: number }, maxWidth: number) {
  let w = p.width * (p.sar > 0 ? p.sar : 1)
  let h = p.height
  if (p.rotation === 90 || p.rotation === 270) [w, h] = [h, w]
  const scale = Math.min(1, maxWidth / w, maxWidth / h)
  return { width: Math.max(2, Math.round(w * scale)), height: Math.max(2, Math.round(h * scale)) }
}

/**
 * RGB24 frames sampled at `fps`, streamed: one frame's bytes are read at a time, and ffmpeg is
 * paused by back-pressure while the consumer works, so a long video never sits in memory.
 */
export async function* videoFrames(file: string, opts: VideoFramesOptions): AsyncGenerator<VideoFrame> {
  const binaries = opts.binaries ?? DEFAULT_FFMPEG
  if (!(opts.fps > 0 && opts.fps <= 120)) throw new RangeError(`fps must be in (0, 120], got ${opts.fps}`)
  const info = await probe(file, opts.signal, binaries)
  if (!info.video || info.videoIndex === undefined) {
    throw new MediaError('unsupported', 'the file has no video track')
  }
  const { maxSeconds } = opts
  if (maxSeconds !== undefined && info.durationSeconds !== null && info.durationSeconds > maxSeconds) {
    throw mediaErrors.tooLong(info.durationSeconds, maxSeconds)
  }
  const { width, height } = frameSize({ ...info.video, rotation: info.rotation, sar: info.sar }, opts.maxWidth ?? 1280)
  const frameBytes = width * height * 3
  const args = ['-nostdin', '-hide_banner', '-v', 'error', '-threads', '1', ...(await inputArgs(file))]
  args.push('-map', `0:${info.videoIndex}`, '-an', '-sn', '-dn')
  args.push('-vf', `fps=${opts.fps},scale=${width}:${height}:flags=area,setsar=1`)
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1')
  const run = startTool(binaries.ffmpeg, args, opts.signal)
  let frame = new Uint8Array(frameBytes)
  let filled = 0
  let index = 0
  try {
    for await (const chunk of run.child.stdout as AsyncIterable<Buffer>) {
      for (let off = 0; off < chunk.length;) {
        const n = Math.min(frameBytes - filled, chunk.length - off)
        frame.set(chunk.subarray(off, off + n), filled)
        filled += n
        off += n
        if (filled < frameBytes) continue
        const time = index / opts.fps
        // The probed duration can lie (or be missing); the sampled time cannot.
        if (maxSeconds !== undefined && time > maxSeconds) throw mediaErrors.tooLong(null, maxSeconds)
        yield { index, time, image: { data: frame, width, height } }
        index++
        frame = new Uint8Array(frameBytes)
        filled = 0
      }
    }
    const { code } = await run.exited
    if (opts.signal?.aborted) throw mediaErrors.aborted(opts.signal.reason)
    if (code !== 0) throw toolFailure('the video', run.stderr(), file)
    if (index === 0) throw mediaErrors.corrupt('the video')
  } finally {
    await run.kill()
  }
}

/**
 * The first audio track as 16 kHz mono float PCM, or null when the file has none. Output beyond
 * maxSeconds stops ffmpeg at once (MediaError 'too_long'), so memory stays bounded even when the
 * container's duration is missing or wrong.
 */
export async function extractAudio(file: string, opts: ExtractAudioOptions): Promise<Float32Array | null> {
  const binaries = opts.binaries ?? DEFAULT_FFMPEG
  const info = await probe(file, opts.signal, binaries)
  if (info.audioIndex === undefined) return null
  if (info.durationSeconds !== null && info.durationSeconds > opts.maxSeconds) {
    throw mediaErrors.tooLong(info.durationSeconds, opts.maxSeconds)
  }
  const args = ['-nostdin', '-hide_banner', '-v', 'error', '-threads', '1', ...(await inputArgs(file))]
  args.push('-map', `0:${info.audioIndex}`, '-vn', '-sn', '-dn', '-ac', '1', '-ar', '16000', '-f', 'f32le', 'pipe:1')
  const run = startTool(binaries.ffmpeg, args, opts.signal)
  // A little slack over the limit: resamplers and codec priming add a few ms at the end.
  const limit = Math.ceil((opts.maxSeconds + 0.25) * 16_000) * 4
  const chunks: Buffer[] = []
  let size = 0
  let over = false
  try {
    for await (const chunk of run.child.stdout as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > limit) {
        over = true
        break
      }
      chunks.push(chunk)
    }
    if (over) throw mediaErrors.tooLong(null, opts.maxSeconds)
    const { code } = await run.exited
    if (opts.signal?.aborted) throw mediaErrors.aborted(opts.signal.reason)
    if (code !== 0) throw toolFailure('the audio track', run.stderr(), file)
  } finally {
    await run.kill()
  }
  const bytes = new Uint8Array(size - (size % 4))
  let at = 0
  for (const c of chunks) {
    const n = Math.min(c.length, bytes.length - at)
    bytes.set(c.subarray(0, n), at)
    at += n
  }
  if (bytes.length === 0) throw mediaErrors.corrupt('the audio track')
  // f32le matches every platform Node runs on here (x86-64, arm64 are little-endian).
  return new Float32Array(bytes.buffer, 0, bytes.length / 4)
}

function toolFailure(what: string, stderr: string, file: string): MediaError {
  const reason = stderrReason(stderr, file)
  return new MediaError(
    'corrupt',
    `${what} could not be decoded${reason ? `: ${reason}` : ': the file is corrupt or truncated'}`,
  )
}

function num(s: string | undefined): number | null {
  if (s === undefined) return null
  const n = Number(s)
  return Number.isFinite(n) ? n : null
}

function rate(s: string | undefined): number | null {
  if (!s) return null
  const [a, b] = s.split('/').map(Number)
  if (a === undefined || !Number.isFinite(a)) return null
  const r = b === undefined ? a : b > 0 ? a / b : NaN
  return Number.isFinite(r) && r > 0 ? r : null
}
