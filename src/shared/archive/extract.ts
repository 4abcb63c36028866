import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ArchiveError, Budget, DEFAULT_LIMITS, type ArchiveEntry, type ArchiveLimits } from './archive-paths.js'
import { Output, type ExtractedFile } from './output.js'
import { extractTar } from './tar.js'
import { extractZip } from './unzip.js'

export { ArchiveError, DEFAULT_LIMITS, type ArchiveEntry, type ArchiveLimits } from './archive-paths.js'
export type { ExtractedFile } from './output.js'

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

const TAR_COMPRESSION = { tar: 'none', 'tar.gz': 'gzip', 'tar.bz2': 'bzip2', 'tar.xz': 'xz' } as const

/**
 * Extracts every regular file of the archive at `archivePath` into `destDir`
 * (created if missing), or throws ArchiveError. Member names never reach the
 * file system: each file is written as `${destDir}/${index}`. On failure every
 * file written so far is removed. Aborting `signal` stops the extraction and
 * rejects with the signal's reason; a failing system call (disk full,
 * permissions, missing archive) is rethrown as is, since it says nothing
 * about the archive.
 */
export async function extractArchiveToDir(
  archivePath: string,
  kind: ArchiveKind,
  destDir: string,
  limits: ArchiveLimits = DEFAULT_LIMITS,
  signal?: AbortSignal,
): Promise<ExtractedFile[]> {
  signal?.throwIfAborted()
  const dir = resolve(destDir)
  await mkdir(dir, { recursive: true })
  const out = new Output(dir, new Budget(limits), signal)
  try {
    if (kind === 'zip') await extractZip(archivePath, out)
    else if (Object.hasOwn(TAR_COMPRESSION, kind)) await extractTar(archivePath, TAR_COMPRESSION[kind], out)
    else throw new ArchiveError('unsupported', `unsupported archive kind ${String(kind)}`)
    signal?.throwIfAborted()
    return out.files
  } catch (err) {
    await out.discard()
    // pipeline() rejects an abort with its own AbortError; callers expect the reason they gave.
    if (signal?.aborted) throw signal.reason
    throw err
  }
}

/**
 * Extracts every regular file, in memory, or throws ArchiveError naming the problem.
 * @deprecated Holds the archive and all its contents in memory; use extractArchiveToDir.
 */
export async function extractArchive(
  buf: Buffer,
  kind: ArchiveKind,
  limits: ArchiveLimits = DEFAULT_LIMITS,
): Promise<ArchiveEntry[]> {
  const work = await mkdtemp(join(tmpdir(), 'prosodia-archive-'))
  try {
    const archive = join(work, 'archive')
    await writeFile(archive, buf, { mode: 0o600 })
    const files = await extractArchiveToDir(archive, kind, join(work, 'files'), limits)
    const entries: ArchiveEntry[] = []
    for (const f of files) entries.push({ path: f.path, data: await readFile(f.file) })
    return entries
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
