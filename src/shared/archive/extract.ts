import { ArchiveError, DEFAULT_LIMITS, type ArchiveEntry, type ArchiveLimits } from './archive-paths.js'
import { readTar } from './tar.js'
import { readZip } from './zip.js'

export { ArchiveError, DEFAULT_LIMITS, type ArchiveEntry, type ArchiveLimits } from './archive-paths.js'

export type ArchiveKind = 'zip' | 'tar' | 'tar.gz' | 'tar.bz2' | 'tar.xz'

/**
 * Archive kind from the first bytes (never from the file name, which the
 * sender controls). gzip/bzip2/xz are assumed to wrap a tar, as the API
 * documents; a compressed non-tar fails extraction as corrupt.
 */
export function sniffArchive(buf: Buffer): ArchiveKind | undefined {
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x04034b50) return 'zip'
  if (buf.length >= 22 && buf.readUInt32LE(0) === 0x06054b50) return 'zip' // empty zip
  if (buf.length >= 3 && buf[0] === 0x1f && buf[1] === 0x8b && buf[2] === 8) return 'tar.gz'
  if (buf.length >= 4 && buf.subarray(0, 3).toString('latin1') === 'BZh') return 'tar.bz2'
  if (buf.length >= 6 && buf.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'tar.xz'
  if (buf.length >= 262 && buf.subarray(257, 262).toString('latin1') === 'ustar') return 'tar'
  return undefined
}

/** Extracts every regular file, in memory, or throws ArchiveError naming the problem. */
export async function extractArchive(
  buf: Buffer,
  kind: ArchiveKind,
  limits: ArchiveLimits = DEFAULT_LIMITS,
): Promise<ArchiveEntry[]> {
  switch (kind) {
    case 'zip':
      return readZip(buf, limits)
    case 'tar':
      return readTar(buf, 'none', limits)
    case 'tar.gz':
      return readTar(buf, 'gzip', limits)
    case 'tar.bz2':
      return readTar(buf, 'bzip2', limits)
    case 'tar.xz':
      return readTar(buf, 'xz', limits)
    default:
      throw new ArchiveError('unsupported', `unsupported archive kind ${String(kind)}`)
  }
}
