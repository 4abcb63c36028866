/** Path and limit rules shared by the zip and tar readers. */

export type ArchiveFailure =
  'traversal' | 'link' | 'special_file' | 'too_large' | 'too_many_entries' | 'corrupt' | 'unsupported'

export class ArchiveError extends Error {
  constructor(
    readonly reason: ArchiveFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'ArchiveError'
  }
}

/** A failed system call (disk full, permissions, missing file): the server's problem, not the archive's. */
export function isSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string'
}

export interface ArchiveLimits {
  /** Most files (directories excluded) one archive may hold. */
  maxEntries: number
  /** Largest single extracted file, bytes. */
  maxEntryBytes: number
  /** Largest total of extracted bytes: the decompression-bomb guard. */
  maxTotalBytes: number
}

export const DEFAULT_LIMITS: ArchiveLimits = Object.freeze({
  maxEntries: 1000,
  maxEntryBytes: 50 * 1024 * 1024,
  maxTotalBytes: 200 * 1024 * 1024,
})

export interface ArchiveEntry {
  /** Normalised relative path ("dir/file.txt"), never absolute, never containing "..". */
  path: string
  data: Buffer
}

/**
 * Normalises an entry name or throws: absolute paths, drive letters, "..",
 * backslashes and NULs are refused rather than "fixed", because an archive
 * that contains them was built to escape the extraction directory.
 */
export function safeEntryPath(name: string): string {
  if (name.includes('\0')) throw new ArchiveError('traversal', 'archive entry name contains a NUL byte')
  if (name.includes('\\')) throw new ArchiveError('traversal', `archive entry ${JSON.stringify(name)} uses backslashes`)
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) {
    throw new ArchiveError('traversal', `archive entry ${JSON.stringify(name)} is an absolute path`)
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.some((p) => p === '..')) {
    throw new ArchiveError('traversal', `archive entry ${JSON.stringify(name)} escapes the archive root`)
  }
  return parts.join('/')
}

/** Running totals for one extraction; throws as soon as a limit is passed. */
export class Budget {
  entries = 0
  total = 0
  constructor(readonly limits: ArchiveLimits) {}

  addEntry(path: string, declaredSize?: number): void {
    this.entries++
    if (this.entries > this.limits.maxEntries) {
      throw new ArchiveError(
        'too_many_entries',
        `archive holds more than ${this.limits.maxEntries} entries (files and directories)`,
      )
    }
    if (declaredSize === undefined) return
    if (declaredSize > this.limits.maxEntryBytes) {
      throw new ArchiveError(
        'too_large',
        `archive entry ${path} is ${declaredSize} bytes, over ${this.limits.maxEntryBytes}`,
      )
    }
    // Both readers hold entries to their declared size (tar by construction, yauzl by
    // validateEntrySizes), so an honest total over the limit can be refused before expanding it.
    if (this.total + declaredSize > this.limits.maxTotalBytes) {
      throw new ArchiveError(
        'too_large',
        `archive expands past ${this.limits.maxTotalBytes} bytes (decompression bomb?)`,
      )
    }
  }

  addBytes(path: string, entryBytes: number, n: number): void {
    this.total += n
    if (entryBytes > this.limits.maxEntryBytes) {
      throw new ArchiveError('too_large', `archive entry ${path} expands past ${this.limits.maxEntryBytes} bytes`)
    }
    if (this.total > this.limits.maxTotalBytes) {
      throw new ArchiveError(
        'too_large',
        `archive expands past ${this.limits.maxTotalBytes} bytes (decompression bomb?)`,
      )
    }
  }
}
