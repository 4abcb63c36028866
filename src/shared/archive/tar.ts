/**
 * tar, tar.gz, tar.bz2 and tar.xz through one streaming pipeline: the
 * decompressed byte stream is counted (bomb guard) before tar-stream parses
 * it, each regular file is streamed to disk with backpressure, and links or
 * special files stop the extraction.
 */
import { pipeline } from 'node:stream/promises'
import tar from 'tar-stream'
import { byteLimit } from '../streams/byte-meter.js'
import { ArchiveError, isSystemError, safeEntryPath } from './archive-paths.js'
import { tarSource, tooLarge, type TarCompression } from './decompress.js'
import type { Output } from './output.js'

export type { TarCompression } from './decompress.js'

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // nothing to keep: directories and empty names carry no file
  }
}

async function onEntry(header: tar.Header, stream: NodeJS.ReadableStream, out: Output): Promise<void> {
  const name = safeEntryPath(header.name)
  if (header.type === 'directory') {
    // No file, but a header each: directories count against the entry limit like files.
    out.budget.addEntry(name, 0)
    return drain(stream)
  }
  if (header.type === 'symlink' || header.type === 'link') {
    throw new ArchiveError('link', `archive entry ${name} is a ${header.type === 'link' ? 'hard' : 'symbolic'} link`)
  }
  if (header.type !== 'file' && header.type !== 'contiguous-file') {
    throw new ArchiveError('special_file', `archive entry ${name} is a ${String(header.type)}, not a regular file`)
  }
  out.budget.addEntry(name, header.size)
  if (name === '') return drain(stream)
  await out.write(name, stream)
}

export async function extractTar(archivePath: string, kind: TarCompression, out: Output): Promise<void> {
  const extract = tar.extract()
  extract.on('entry', (header, stream, next) => {
    // A failed entry destroys the extractor; the reason surfaces once, through the pipeline.
    stream.on('error', () => {})
    // A streamx Readable: it has the pipe/on/destroy surface pipeline() drives, not Node's typings.
    onEntry(header, stream as unknown as NodeJS.ReadableStream, out).then(
      () => next(),
      (err: unknown) => extract.destroy(err as Error),
    )
  })
  const { limits } = out.budget
  // Headers and padding add at most ~1.5 KiB per entry on top of the file bytes.
  const cap = limits.maxTotalBytes + limits.maxEntries * 1536 + 64 * 1024
  try {
    await pipeline(
      // Counts the whole decompressed stream, headers included, which per-file meters cannot see.
      [...tarSource(archivePath, kind, cap, limits.maxEntries), byteLimit(cap, () => tooLarge(cap)), extract],
      out.signal ? { signal: out.signal } : {},
    )
  } catch (err) {
    if (err instanceof ArchiveError || out.signal?.aborted || isSystemError(err)) throw err
    throw new ArchiveError('corrupt', `not a readable ${kind === 'none' ? 'tar' : `${kind} tar`} archive`, {
      cause: err,
    })
  }
}
