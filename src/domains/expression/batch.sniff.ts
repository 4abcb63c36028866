/**
 * What a file really is, from its first bytes: never from its name or Content-Type, which the
 * sender controls. Text is decided later, on the whole content (valid UTF-8, no NUL).
 */
import { sniffArchive, type ArchiveKind } from '../../shared/archive/extract.js'

/** Enough bytes for every signature below (tar's "ustar" sits at offset 257). */
export const SNIFF_BYTES = 512

export type Sniffed =
  | { kind: 'archive'; archive: ArchiveKind }
  | { kind: 'media'; fileType: 'image' | 'audio' | 'video'; mime: string }
  | { kind: 'maybe-text' }
  | { kind: 'binary' }

const ascii = (b: Buffer, from: number, to: number) => b.subarray(from, to).toString('latin1')

const MEDIA: [(b: Buffer) => boolean, 'image' | 'audio' | 'video', string][] = [
  [(b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'image', 'image/png'],
  [(b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff, 'image', 'image/jpeg'],
  [(b) => ascii(b, 0, 4) === 'GIF8', 'image', 'image/gif'],
  [(b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP', 'image', 'image/webp'],
  [(b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WAVE', 'audio', 'audio/wav'],
  [(b) => ascii(b, 0, 3) === 'ID3' || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0), 'audio', 'audio/mpeg'],
  [(b) => ascii(b, 0, 4) === 'fLaC', 'audio', 'audio/flac'],
  [(b) => ascii(b, 0, 4) === 'OggS', 'audio', 'audio/ogg'],
  [(b) => ascii(b, 4, 8) === 'ftyp', 'video', 'video/mp4'],
  [(b) => b.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])), 'video', 'video/webm'],
]

export function sniffHead(head: Buffer): Sniffed {
  const archive = sniffArchive(head)
  if (archive) return { kind: 'archive', archive }
  for (const [test, fileType, mime] of MEDIA) if (test(head)) return { kind: 'media', fileType, mime }
  return head.includes(0) ? { kind: 'binary' } : { kind: 'maybe-text' }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** The text of a file that sniffed as maybe-text, or undefined if it is not UTF-8 after all. */
export function decodeText(data: Uint8Array): string | undefined {
  if (data.includes(0)) return undefined
  try {
    return utf8.decode(data).replace(/^\uFEFF/, '')
  } catch {
    return undefined
  }
}
