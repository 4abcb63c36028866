/**
 * tar, tar.gz, tar.bz2 and tar.xz through one streaming pipeline: the
 * decompressed byte stream is counted (bomb guard) before tar-stream parses
 * it, and links or special files stop the extraction.
 */
import { createRequire } from 'node:module'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import tar from 'tar-stream'
import { ArchiveError, Budget, safeEntryPath, type ArchiveEntry, type ArchiveLimits } from './archive-paths.js'

const require = createRequire(import.meta.url)
// xz-decompress is a CommonJS bundle whose named export Node's ESM loader cannot detect.
const { XzReadableStream } = require('xz-decompress') as typeof import('xz-decompress')

interface Bzip2Lib {
  header(bits: BitReader): number
  decompress(bits: BitReader, out: (b: number) => void, buf: Int32Array, size: number, crc: number): number | null
}
type BitReader = ((n: number | null) => number) & { bytesRead: number }
// unbzip2-stream's own stream decodes everything it has in one synchronous loop, which no
// size guard can interrupt; its decoder, driven one block at a time, can be stopped.
const bzip2 = require('unbzip2-stream/lib/bzip2') as Bzip2Lib
const bitIterator = require('unbzip2-stream/lib/bit_iterator') as (next: () => Buffer | undefined) => BitReader

export type TarCompression = 'none' | 'gzip' | 'bzip2' | 'xz'

/** One bzip2 block (<= ~46 MB even for a bomb) per iteration; concatenated streams supported. */
function* bunzip2(buf: Buffer): Generator<Buffer> {
  const queue = [buf]
  const bits = bitIterator(() => queue.shift())
  while (bits.bytesRead < buf.length) {
    const blockSize = bzip2.header(bits)
    let crc: number | null = 0
    for (;;) {
      const size = 100_000 * blockSize
      // The decoder emits one byte per call; a growable typed array keeps that cheap.
      let out = new Uint8Array(size)
      let n = 0
      const put = (b: number) => {
        if (n === out.length) {
          const bigger = new Uint8Array(out.length * 2)
          bigger.set(out)
          out = bigger
        }
        out[n++] = b
      }
      crc = bzip2.decompress(bits, put, new Int32Array(size), size, crc)
      if (crc === null) break
      yield Buffer.from(out.buffer, 0, n)
    }
  }
}

/** Reads a web stream lazily and cancels it when the consumer stops early. */
async function* fromWeb(stream: ReadableStream<Uint8Array>): AsyncGenerator<Buffer> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield Buffer.from(value)
    }
  } finally {
    reader.cancel().catch(() => {})
  }
}

/**
 * The compressed bytes in small slices: decoders then work incrementally and
 * stop soon after the meter objects, instead of expanding a bomb up front.
 */
function* slices(buf: Buffer, size = 4096): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size)
}

// Byte-mode with a 1-byte high-water mark: pull one decoded chunk at a time.
const lazily = (it: Iterable<Buffer> | AsyncIterable<Buffer>) =>
  Readable.from(it, { objectMode: false, highWaterMark: 1 })

function decompressor(kind: TarCompression, buf: Buffer): Readable {
  if (kind === 'none') return lazily(slices(buf))
  if (kind === 'gzip') return lazily(slices(buf)).pipe(zlib.createGunzip())
  if (kind === 'bzip2') return lazily(bunzip2(buf))
  const it = slices(buf)
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = it.next()
      if (next.done) controller.close()
      else controller.enqueue(next.value)
    },
  })
  return lazily(fromWeb(new XzReadableStream(source)))
}

class Meter extends Transform {
  private seen = 0
  constructor(private readonly cap: number) {
    super()
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length
    if (this.seen > this.cap)
      return cb(new ArchiveError('too_large', `archive expands past ${this.cap} bytes (decompression bomb?)`))
    cb(null, chunk)
  }
}

export async function readTar(buf: Buffer, kind: TarCompression, limits: ArchiveLimits): Promise<ArchiveEntry[]> {
  const budget = new Budget(limits)
  const out: ArchiveEntry[] = []
  const extract = tar.extract()
  extract.on('entry', (header, stream, next) => {
    // The entry stream is destroyed with the extractor; its error surfaces through the pipeline.
    stream.on('error', () => {})
    const fail = (err: unknown) => {
      stream.resume()
      extract.destroy(err as Error)
    }
    try {
      const name = safeEntryPath(header.name)
      if (header.type === 'directory') {
        stream.on('end', next)
        stream.resume()
        return
      }
      if (header.type === 'symlink' || header.type === 'link') {
        throw new ArchiveError(
          'link',
          `archive entry ${name} is a ${header.type === 'link' ? 'hard' : 'symbolic'} link`,
        )
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        throw new ArchiveError('special_file', `archive entry ${name} is a ${header.type}, not a regular file`)
      }
      budget.addEntry(name, header.size)
      const chunks: Buffer[] = []
      let size = 0
      stream.on('data', (data: unknown) => {
        const c = data as Buffer
        size += c.length
        try {
          budget.addBytes(name, size, c.length)
          chunks.push(c)
        } catch (err) {
          fail(err)
        }
      })
      stream.on('end', () => {
        if (name !== '') out.push({ path: name, data: Buffer.concat(chunks) })
        next()
      })
    } catch (err) {
      fail(err)
    }
  })
  // Headers and padding add at most ~1.5 KiB per entry on top of the file bytes.
  const cap = limits.maxTotalBytes + limits.maxEntries * 1536 + 64 * 1024
  try {
    await pipeline(decompressor(kind, buf), new Meter(cap), extract)
  } catch (err) {
    if (err instanceof ArchiveError) throw err
    throw new ArchiveError('corrupt', `not a readable ${kind === 'none' ? 'tar' : `${kind} tar`} archive`, {
      cause: err,
    })
  }
  return out
}
