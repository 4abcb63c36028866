/**
 * A defensive zip reader. We parse the central directory ourselves because it
 * is the only place that records Unix file modes (to refuse symlinks), and we
 * inflate each entry through fflate's streaming Inflate so output is counted
 * chunk by chunk and a bomb is stopped long before it is materialised.
 */
import { Inflate } from 'fflate'
import { ArchiveError, Budget, safeEntryPath, type ArchiveEntry, type ArchiveLimits } from './archive-paths.js'

const EOCD = 0x06054b50
const CDH = 0x02014b50
const LFH = 0x04034b50
const S_IFMT = 0o170000
const S_IFLNK = 0o120000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000

function findEocd(buf: Buffer): number {
  // The EOCD record is 22 bytes plus a comment of at most 65,535 bytes.
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === EOCD) return i
  }
  throw new ArchiveError('corrupt', 'not a zip archive (no end of central directory)')
}

export function readZip(buf: Buffer, limits: ArchiveLimits): ArchiveEntry[] {
  if (buf.length < 22) throw new ArchiveError('corrupt', 'zip archive is truncated')
  const eocd = findEocd(buf)
  const count = buf.readUInt16LE(eocd + 10)
  let p = buf.readUInt32LE(eocd + 16)
  if (count === 0xffff || p === 0xffffffff) throw new ArchiveError('unsupported', 'zip64 archives are not supported')
  const budget = new Budget(limits)
  const out: ArchiveEntry[] = []
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CDH)
      throw new ArchiveError('corrupt', 'zip central directory is corrupt')
    const madeBy = buf.readUInt8(p + 5) // host system: 3 = Unix
    const method = buf.readUInt16LE(p + 10)
    const compressed = buf.readUInt32LE(p + 20)
    const size = buf.readUInt32LE(p + 24)
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    const mode = buf.readUInt32LE(p + 38) >>> 16
    const local = buf.readUInt32LE(p + 42)
    const rawName = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8')
    p += 46 + nameLen + extraLen + commentLen
    const name = safeEntryPath(rawName)
    const type = madeBy === 3 ? mode & S_IFMT : rawName.endsWith('/') ? S_IFDIR : S_IFREG
    if (type === S_IFDIR || rawName.endsWith('/')) continue
    if (type === S_IFLNK) throw new ArchiveError('link', `archive entry ${name} is a symbolic link`)
    if (type !== S_IFREG && type !== 0)
      throw new ArchiveError('special_file', `archive entry ${name} is not a regular file`)
    if (name === '') continue
    if (compressed === 0xffffffff || size === 0xffffffff)
      throw new ArchiveError('unsupported', 'zip64 entries are not supported')
    budget.addEntry(name, size)
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LFH)
      throw new ArchiveError('corrupt', `zip entry ${name} is corrupt`)
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const body = buf.subarray(start, start + compressed)
    if (body.length !== compressed) throw new ArchiveError('corrupt', `zip entry ${name} is truncated`)
    out.push({ path: name, data: inflateEntry(name, method, body, budget) })
  }
  return out
}

function inflateEntry(name: string, method: number, body: Buffer, budget: Budget): Buffer {
  if (method === 0) {
    budget.addBytes(name, body.length, body.length)
    return Buffer.from(body)
  }
  if (method !== 8) throw new ArchiveError('unsupported', `zip entry ${name} uses compression method ${method}`)
  const chunks: Uint8Array[] = []
  let produced = 0
  let failure: unknown
  const inflate = new Inflate((chunk) => {
    if (failure) return
    produced += chunk.length
    try {
      budget.addBytes(name, produced, chunk.length)
      chunks.push(chunk)
    } catch (err) {
      failure = err
    }
  })
  const step = 64 * 1024
  try {
    for (let i = 0; i < body.length && !failure; i += step) {
      inflate.push(body.subarray(i, i + step), i + step >= body.length)
    }
    if (body.length === 0) inflate.push(new Uint8Array(0), true)
  } catch (err) {
    if (!failure) throw new ArchiveError('corrupt', `zip entry ${name} does not inflate`, { cause: err })
  }
  if (failure) throw failure
  return Buffer.concat(chunks)
}
