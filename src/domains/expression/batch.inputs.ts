/**
 * Resolves a job's sources (URLs, uploads) into files: downloads under the
 * SSRF guard, sniffs content (never trusting names or Content-Type), and
 * expands archives safely. Every problem becomes an error entry of that
 * source; nothing here fails the job.
 */
import path from 'node:path/posix'
import { ArchiveError, extractArchive, sniffArchive, type ArchiveLimits } from '../../shared/archive/extract.js'
import { safeFetch, SafeFetchError } from '../../shared/net/safe-fetch.js'

export interface InputFile {
  name: string
  data: Buffer
}

export interface SourceError {
  file: string
  message: string
}

export interface ExpandedSource {
  files: InputFile[]
  errors: SourceError[]
}

export interface InputLimits {
  allowList: readonly string[]
  maxDownloadBytes: number
  fetchTimeoutMs: number
  archive: ArchiveLimits
}

export type Sniffed =
  | { kind: 'text'; text: string }
  | { kind: 'media'; fileType: 'image' | 'audio' | 'video'; mime: string }
  | { kind: 'archive' }
  | { kind: 'unknown' }

const MEDIA: [(b: Buffer) => boolean, 'image' | 'audio' | 'video', string][] = [
  [(b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'image', 'image/png'],
  [(b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff, 'image', 'image/jpeg'],
  [(b) => b.subarray(0, 4).toString('latin1') === 'GIF8', 'image', 'image/gif'],
  [
    (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
    'image',
    'image/webp',
  ],
  [
    (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WAVE',
    'audio',
    'audio/wav',
  ],
  [
    (b) => b.subarray(0, 3).toString('latin1') === 'ID3' || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0),
    'audio',
    'audio/mpeg',
  ],
  [(b) => b.subarray(0, 4).toString('latin1') === 'fLaC', 'audio', 'audio/flac'],
  [(b) => b.subarray(0, 4).toString('latin1') === 'OggS', 'audio', 'audio/ogg'],
  [(b) => b.subarray(4, 8).toString('latin1') === 'ftyp', 'video', 'video/mp4'],
  [(b) => b.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])), 'video', 'video/webm'],
]

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** What a file really is, from its bytes. */
export function sniff(data: Buffer): Sniffed {
  if (sniffArchive(data)) return { kind: 'archive' }
  for (const [test, fileType, mime] of MEDIA) if (test(data)) return { kind: 'media', fileType, mime }
  if (data.includes(0)) return { kind: 'unknown' }
  try {
    return { kind: 'text', text: utf8.decode(data).replace(/^\uFEFF/, '') }
  } catch {
    return { kind: 'unknown' }
  }
}

/** A file's own archive expanded, or the file itself. */
export async function expand(name: string, data: Buffer, limits: InputLimits): Promise<ExpandedSource> {
  const kind = sniffArchive(data)
  if (!kind) return { files: [{ name, data }], errors: [] }
  try {
    const entries = await extractArchive(data, kind, limits.archive)
    const files: InputFile[] = []
    const errors: SourceError[] = []
    for (const e of entries) {
      // Archives inside archives are not opened: one level keeps the bomb budget meaningful.
      if (sniffArchive(e.data)) errors.push({ file: e.path, message: 'nested archives are not extracted' })
      else files.push({ name: e.path, data: e.data })
    }
    return { files, errors }
  } catch (err) {
    if (err instanceof ArchiveError)
      return { files: [], errors: [{ file: name, message: `archive refused: ${err.message}` }] }
    throw err
  }
}

/** The file name a URL's content is reported under (Hume reports the URL's last path segment). */
export function urlFileName(url: string): string {
  try {
    const base = path.basename(decodeURIComponent(new URL(url).pathname))
    return base || url
  } catch {
    return url
  }
}

export async function fetchUrl(url: string, limits: InputLimits): Promise<ExpandedSource> {
  try {
    const res = await safeFetch(url, {
      allowList: limits.allowList,
      maxBytes: limits.maxDownloadBytes,
      timeoutMs: limits.fetchTimeoutMs,
    })
    if (res.status < 200 || res.status >= 300) {
      return { files: [], errors: [{ file: url, message: `fetching the URL failed with HTTP status ${res.status}` }] }
    }
    return await expand(urlFileName(res.url), res.body, limits)
  } catch (err) {
    if (err instanceof SafeFetchError)
      return { files: [], errors: [{ file: url, message: `URL refused: ${err.message}` }] }
    throw err
  }
}
