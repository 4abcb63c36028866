/**
 * Media type from the first bytes of a file: never from its name or Content-Type, which the sender
 * controls. Pure and synchronous so it can run on the upload path; whether a container that may
 * hold either (MP4, WebM, Ogg) really carries video is decided later by `resolveContainer`.
 */

export type MediaFileType = 'image' | 'audio' | 'video'

export interface MediaKind {
  fileType: MediaFileType
  mime: string
}

/** Enough bytes for every signature here. */
export const MEDIA_SNIFF_BYTES = 512

const ascii = (b: Buffer, from: number, to: number) => b.subarray(from, to).toString('latin1')
const starts = (b: Buffer, bytes: number[]) => b.length >= bytes.length && bytes.every((x, i) => b[i] === x)

// ISO BMFF major/compatible brands that mean still images (HEIF, AVIF, …), not a movie.
const IMAGE_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1', 'avif', 'avis', 'crx '])
const AUDIO_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B '])

function isoBmff(b: Buffer): MediaKind | undefined {
  const brand = ascii(b, 8, 12)
  if (IMAGE_BRANDS.has(brand)) return undefined
  if (AUDIO_BRANDS.has(brand)) return { fileType: 'audio', mime: 'audio/mp4' }
  if (brand === 'qt  ') return { fileType: 'video', mime: 'video/quicktime' }
  // Everything else that opens with an ftyp box is an MP4-family movie (isom, mp41, mp42, avc1,
  // iso2..iso6, dash, 3gp*, M4V …); resolveContainer tells an audio-only one apart.
  return { fileType: 'video', mime: 'video/mp4' }
}

function mpegAudio(b: Buffer): MediaKind | undefined {
  if (ascii(b, 0, 3) === 'ID3') return { fileType: 'audio', mime: 'audio/mpeg' }
  const b0 = b[0] ?? 0
  const b1 = b[1] ?? 0
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined
  const layer = (b1 >> 1) & 3
  // Layer bits 00 with the MPEG-2/4 sync is an ADTS AAC stream, not MP3.
  if (layer === 0) return (b1 & 0xf6) === 0xf0 ? { fileType: 'audio', mime: 'audio/aac' } : undefined
  const b2 = b[2] ?? 0
  // Bitrate index 1111 and sample-rate index 11 are invalid: random 0xFFE. bytes are not audio.
  if (b2 >> 4 === 0xf || ((b2 >> 2) & 3) === 3) return undefined
  return { fileType: 'audio', mime: 'audio/mpeg' }
}

/** Matroska's DocType sits in the EBML header, well inside the first 64 bytes. */
function ebml(b: Buffer): MediaKind {
  return ascii(b, 0, 64).includes('webm')
    ? { fileType: 'video', mime: 'video/webm' }
    : { fileType: 'video', mime: 'video/x-matroska' }
}

/** Ogg's first page starts the first logical stream; Theora there means a video. */
function ogg(b: Buffer): MediaKind {
  return b.includes('\x80theora', 0, 'latin1')
    ? { fileType: 'video', mime: 'video/ogg' }
    : { fileType: 'audio', mime: 'audio/ogg' }
}

const RULES: ((b: Buffer) => MediaKind | undefined)[] = [
  (b) => (starts(b, [0xff, 0xd8, 0xff]) ? { fileType: 'image', mime: 'image/jpeg' } : undefined),
  (b) =>
    starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) ? { fileType: 'image', mime: 'image/png' } : undefined,
  (b) => (/^GIF8[79]a$/.test(ascii(b, 0, 6)) ? { fileType: 'image', mime: 'image/gif' } : undefined),
  (b) => {
    if (ascii(b, 0, 4) !== 'RIFF') return undefined
    const form = ascii(b, 8, 12)
    if (form === 'WEBP') return { fileType: 'image', mime: 'image/webp' }
    if (form === 'WAVE') return { fileType: 'audio', mime: 'audio/wav' }
    if (form === 'AVI ') return { fileType: 'video', mime: 'video/x-msvideo' }
    return undefined
  },
  (b) => (ascii(b, 0, 4) === 'fLaC' ? { fileType: 'audio', mime: 'audio/flac' } : undefined),
  (b) => (ascii(b, 0, 4) === 'OggS' ? ogg(b) : undefined),
  (b) => (starts(b, [0x1a, 0x45, 0xdf, 0xa3]) ? ebml(b) : undefined),
  (b) => (ascii(b, 4, 8) === 'ftyp' ? isoBmff(b) : undefined),
  // Old QuickTime files open with a bare moov/mdat/wide atom and no ftyp.
  (b) =>
    ['moov', 'mdat', 'wide'].includes(ascii(b, 4, 8)) && b.readUInt32BE(0) >= 8
      ? { fileType: 'video', mime: 'video/quicktime' }
      : undefined,
  mpegAudio,
]

/** What the first bytes say the file is, or undefined for anything that is not known media. */
export function classifyMedia(head: Buffer): MediaKind | undefined {
  if (head.length < 4) return undefined
  for (const rule of RULES) {
    const kind = rule(head)
    if (kind) return kind
  }
  return undefined
}

/**
 * The ffmpeg demuxer for a sniffed type. Passing it with `-f` means ffmpeg never guesses the
 * format from the content, so a crafted file cannot turn into an HLS or concat playlist that
 * makes ffmpeg open other files or URLs.
 */
export function demuxerFor(mime: string): string | undefined {
  switch (mime) {
    case 'video/mp4':
    case 'video/quicktime':
    case 'audio/mp4':
      return 'mov'
    case 'video/webm':
    case 'video/x-matroska':
    case 'audio/webm':
    case 'audio/x-matroska':
      return 'matroska'
    case 'video/x-msvideo':
      return 'avi'
    case 'video/ogg':
    case 'audio/ogg':
      return 'ogg'
    case 'audio/wav':
      return 'wav'
    case 'audio/mpeg':
      return 'mp3'
    case 'audio/flac':
      return 'flac'
    case 'audio/aac':
      return 'aac'
    default:
      return undefined
  }
}
