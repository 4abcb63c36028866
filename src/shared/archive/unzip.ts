/**
 * zip through yauzl, which reads the central directory from disk (the only
 * place that records Unix file modes, so links can be refused), bounds-checks
 * every offset, and streams each entry. Entries are refused on their declared
 * metadata before any inflating; the bytes are then counted as they inflate.
 */
import yauzl from 'yauzl'
import { ArchiveError, isSystemError, safeEntryPath } from './archive-paths.js'
import type { Output } from './output.js'

const S_IFMT = 0o170000
const S_IFLNK = 0o120000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const HOST_UNIX = 3

const OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: true,
  // Backslashes are refused rather than turned into separators.
  strictFileNames: true,
  // Inflated sizes must match the declared ones, which the limit checks rely on.
  validateEntrySizes: true,
  decodeStrings: true,
}

function open(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, OPTIONS, (err, zip) => (err ? reject(err) : resolve(zip)))
  })
}

/** The next central-directory entry, or undefined at the end. */
function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError)
    }
    const onEntry = (entry: yauzl.Entry) => (settle(), resolve(entry))
    const onEnd = () => (settle(), resolve(undefined))
    const onError = (err: Error) => (settle(), reject(err))
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError)
    zip.readEntry()
  })
}

function openStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream)))
  })
}

/** The entry's safe name, undefined for entries that carry no file, or throws. */
function memberName(entry: yauzl.Entry): string | undefined {
  const name = safeEntryPath(entry.fileName)
  // Only Unix-made archives record a file type; for the others the name says if it is a directory.
  const type = entry.versionMadeBy >> 8 === HOST_UNIX ? (entry.externalFileAttributes >>> 16) & S_IFMT : 0
  if (type === S_IFLNK) throw new ArchiveError('link', `archive entry ${name} is a symbolic link`)
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
    throw new ArchiveError('special_file', `archive entry ${name} is not a regular file`)
  }
  if (type === S_IFDIR || entry.fileName.endsWith('/') || name === '') return undefined
  if (entry.isEncrypted()) throw new ArchiveError('unsupported', `archive entry ${name} is encrypted`)
  if (!entry.canDecodeFileData()) {
    throw new ArchiveError('unsupported', `archive entry ${name} uses compression method ${entry.compressionMethod}`)
  }
  return name
}

export async function extractZip(archivePath: string, out: Output): Promise<void> {
  let zip: yauzl.ZipFile | undefined
  try {
    zip = await open(archivePath)
    // Past our last read, yauzl may still report (e.g. closing the file): never an unhandled 'error'.
    zip.on('error', () => {})
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      out.signal?.throwIfAborted()
      const name = memberName(entry)
      // Directories carry no file but cost a record each: they count against the entry limit too.
      if (name === undefined) {
        out.budget.addEntry(entry.fileName, 0)
        continue
      }
      out.budget.addEntry(name, entry.uncompressedSize)
      await out.write(name, await openStream(zip, entry))
    }
  } catch (err) {
    throw out.signal?.aborted ? err : zipError(err)
  } finally {
    // The file stays open only until its last entry stream is closed too.
    zip?.close()
  }
}

/** yauzl reports everything as a plain Error; its message is the only thing that tells them apart. */
function zipError(err: unknown): unknown {
  if (err instanceof ArchiveError || isSystemError(err)) return err
  const message = err instanceof Error ? err.message : String(err)
  if (/^(invalid characters in fileName|absolute path|invalid relative path)/.test(message)) {
    return new ArchiveError('traversal', `archive entry name refused (${message})`, { cause: err })
  }
  if (/not supported|unsupported|encrypted/.test(message)) {
    return new ArchiveError('unsupported', `unsupported zip archive (${message})`, { cause: err })
  }
  return new ArchiveError('corrupt', `not a readable zip archive (${message})`, { cause: err })
}
