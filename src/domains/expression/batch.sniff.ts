/**
 * What a file really is, from its first bytes: never from its name or Content-Type, which the
 * sender controls. Text is decided later, on the whole content (valid UTF-8, no NUL).
 */
import { sniffArchive, type ArchiveKind } from '../../shared/archive/extract.js'
import { classifyMedia, type MediaKind } from './media/signatures.js'

/** Enough bytes for every signature below (tar's "ustar" sits at offset 257). */
export const SNIFF_BYTES = 512

export type Sniffed =
  | { kind: 'archive'; archive: ArchiveKind }
  | ({ kind: 'media' } & MediaKind)
  | { kind: 'maybe-text' }
  | { kind: 'binary' }

export function sniffHead(head: Buffer): Sniffed {
  const archive = sniffArchive(head)
  if (archive) return { kind: 'archive', archive }
  const media = classifyMedia(head)
  if (media) return { kind: 'media', ...media }
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
