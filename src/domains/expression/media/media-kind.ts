/**
 * Media type detection: `classifyMedia` reads the first bytes; `resolveContainer` settles the
 * containers that may or may not carry video (MP4/MOV, WebM/Matroska, Ogg, AVI): a voice memo in
 * an .m4a-like MP4 or a browser's audio-only WebM recording is audio, and must reach the audio
 * models rather than fail for want of frames.
 */
import { open } from 'node:fs/promises'
import { DEFAULT_FFMPEG, ffmpegAvailable, probeMedia, type FfmpegBinaries } from './ffmpeg.js'
import type { MediaKind } from './signatures.js'

export { classifyMedia, demuxerFor, MEDIA_SNIFF_BYTES, type MediaFileType, type MediaKind } from './signatures.js'

const AUDIO_MIME: Record<string, string> = {
  'video/mp4': 'audio/mp4',
  'video/quicktime': 'audio/mp4',
  'video/webm': 'audio/webm',
  'video/x-matroska': 'audio/x-matroska',
  'video/ogg': 'audio/ogg',
  'video/x-msvideo': 'audio/x-msvideo',
}
const VIDEO_MIME: Record<string, string> = { 'audio/ogg': 'video/ogg', 'audio/mp4': 'video/mp4' }

/** Containers whose first bytes cannot say whether there is a picture. */
const AMBIGUOUS = new Set([...Object.keys(AUDIO_MIME), 'audio/ogg', 'audio/mp4'])

export interface ResolveOptions {
  signal?: AbortSignal
  binaries?: FfmpegBinaries
}

/**
 * Whether a sniffed container really has a video track. With ffprobe that is its stream list
 * (cover art excluded); without it, a scan of the container's track headers. A file that cannot
 * be probed keeps its sniffed type, so the decoder that reads it next reports the real problem.
 */
export async function resolveContainer(
  file: string,
  sniffed: MediaKind,
  opts: ResolveOptions = {},
): Promise<MediaKind> {
  if (!AMBIGUOUS.has(sniffed.mime)) return sniffed
  let hasVideo: boolean | undefined
  if (await ffmpegAvailable(opts.binaries ?? DEFAULT_FFMPEG)) {
    try {
      const p = await probeMedia(file, opts)
      hasVideo = p.video !== undefined ? true : p.audio !== undefined ? false : undefined
    } catch {
      hasVideo = undefined
    }
  } else {
    hasVideo = await scanForVideoTrack(file, sniffed.mime)
  }
  if (hasVideo === true) return { fileType: 'video', mime: VIDEO_MIME[sniffed.mime] ?? sniffed.mime }
  if (hasVideo === false) return { fileType: 'audio', mime: AUDIO_MIME[sniffed.mime] ?? sniffed.mime }
  return sniffed
}

/** Track headers sit in the first megabytes of WebM/Ogg/AVI; an MP4's moov may be at the end. */
const SCAN_BYTES = 4 * 1024 * 1024

/**
 * Without ffprobe: look for the marks a video track leaves in the container headers. Matroska
 * codec ids of video tracks start "V_", Ogg video streams open with "\x80theora", AVI video
 * stream headers are "strh" + "vids", and an MP4 video track has an "hdlr" box of type "vide".
 * Returns undefined when the structure cannot be read.
 */
export async function scanForVideoTrack(file: string, mime: string): Promise<boolean | undefined> {
  const fh = await open(file, 'r')
  try {
    const { size } = await fh.stat()
    const read = async (pos: number, len: number) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(len, size - pos)))
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos)
      return buf.subarray(0, bytesRead)
    }
    if (mime.includes('mp4') || mime.includes('quicktime')) {
      const moov = await findTopLevelBox(read, size, 'moov')
      if (!moov) return undefined
      return hasHandler(moov, 'vide')
    }
    const head = await read(0, SCAN_BYTES)
    if (mime.includes('ogg')) return head.includes('\x80theora', 0, 'latin1')
    if (mime.includes('msvideo')) return head.includes('strhvids', 0, 'latin1')
    // Matroska CodecID element: id 0x86, a one-byte size (0x80 | n), then the id string.
    for (let i = head.indexOf(0x86); i !== -1 && i < head.length - 3; i = head.indexOf(0x86, i + 1)) {
      if ((head[i + 1]! & 0x80) !== 0 && head[i + 2] === 0x56 && head[i + 3] === 0x5f) return true
    }
    return false
  } finally {
    await fh.close()
  }
}

const MAX_MOOV = 64 * 1024 * 1024

async function findTopLevelBox(
  read: (pos: number, len: number) => Promise<Buffer>,
  size: number,
  type: string,
): Promise<Buffer | undefined> {
  for (let pos = 0; pos + 8 <= size;) {
    const h = await read(pos, 16)
    if (h.length < 8) return undefined
    let len = h.readUInt32BE(0)
    let headLen = 8
    if (len === 1 && h.length >= 16) {
      len = Number(h.readBigUInt64BE(8))
      headLen = 16
    } else if (len === 0) len = size - pos
    if (len < headLen) return undefined
    if (h.toString('latin1', 4, 8) === type) {
      return len - headLen > MAX_MOOV ? undefined : read(pos + headLen, len - headLen)
    }
    pos += len
  }
  return undefined
}

/** Whether a moov payload holds an hdlr box with the given handler type (vide, soun). */
function hasHandler(moov: Buffer, handler: string): boolean {
  // hdlr payload: version/flags (4), pre_defined (4), handler_type (4).
  for (let i = moov.indexOf('hdlr', 0, 'latin1'); i !== -1; i = moov.indexOf('hdlr', i + 4, 'latin1')) {
    if (moov.toString('latin1', i + 12, i + 16) === handler) return true
  }
  return false
}
