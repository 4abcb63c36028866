/**
 * The decompressed byte stream of a tar archive on disk. Every decoder is
 * pulled a little at a time so the meter downstream can stop a bomb long
 * before it is expanded, and nothing holds the whole archive in memory.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { ArchiveError } from './archive-paths.js'

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

const READ_CHUNK = 64 * 1024
const OUT_CHUNK = 1024 * 1024

export const tooLarge = (cap: number) =>
  new ArchiveError('too_large', `archive expands past ${cap} bytes (decompression bomb?)`)

/**
 * bzip2, one block at a time; concatenated streams supported. The decoder is
 * synchronous and asks for input through a callback, hence readSync (this runs
 * in a worker). A block still decodes in one call (at most ~46 MB for a bomb),
 * so `cap` is enforced inside it too, and its output is handed on in 1 MiB slices.
 */
export function* bunzip2File(path: string, cap: number, maxStreams = Infinity): Generator<Buffer> {
  const fd = openSync(path, 'r')
  try {
    const size = fstatSync(fd).size
    let pos = 0
    const bits = bitIterator(() => {
      if (pos >= size) return undefined
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - pos))
      const n = readSync(fd, buf, 0, buf.length, pos)
      pos += n
      return n === 0 ? undefined : buf.subarray(0, n)
    })
    let produced = 0
    let streams = 0
    // One work buffer for every block: a file of thousands of empty streams (14 bytes each) would
    // otherwise allocate and zero 3.6 MB per stream while producing nothing the byte cap could see.
    let work = new Int32Array(0)
    while (bits.bytesRead < size) {
      // Each stream is a member of the archive as far as its cost goes.
      if (++streams > maxStreams)
        throw new ArchiveError('too_many_entries', `bzip2 file holds more than ${maxStreams} streams`)
      const blockSize = bzip2.header(bits)
      let crc: number | null = 0
      for (;;) {
        const slices: Buffer[] = []
        let out = Buffer.allocUnsafe(OUT_CHUNK)
        let n = 0
        const put = (b: number) => {
          if (++produced > cap) throw tooLarge(cap)
          if (n === OUT_CHUNK) {
            slices.push(out)
            out = Buffer.allocUnsafe(OUT_CHUNK)
            n = 0
          }
          out[n++] = b
        }
        const bufSize = 100_000 * blockSize
        if (work.length < bufSize) work = new Int32Array(bufSize)
        crc = bzip2.decompress(bits, put, work, bufSize, crc)
        if (crc === null) break
        slices.push(out.subarray(0, n))
        // shift() lets each slice be collected once the consumer has it.
        while (slices.length > 0) yield slices.shift()!
      }
    }
  } finally {
    closeSync(fd)
  }
}

/** The file as a web stream, pulled on demand; cancelling closes the file. */
function webFileStream(path: string): ReadableStream<Uint8Array> {
  const it = createReadStream(path, { highWaterMark: READ_CHUNK })[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await it.next()
      if (next.done) controller.close()
      else controller.enqueue(next.value)
    },
    async cancel() {
      await it.return?.()
    },
  })
}

/** Reads a web stream lazily and cancels it when the consumer stops early. */
async function* fromWeb(stream: ReadableStream<Uint8Array>): AsyncGenerator<Buffer> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    }
  } finally {
    reader.cancel().catch(() => {})
  }
}

// Byte mode with a 1-byte high-water mark: pull one decoded chunk at a time.
const lazily = (it: Iterable<Buffer> | AsyncIterable<Buffer>) =>
  Readable.from(it, { objectMode: false, highWaterMark: 1 })

/** The streams that turn the file at `path` into tar bytes, to lead a pipeline. */
export function tarSource(
  path: string,
  kind: TarCompression,
  cap: number,
  maxStreams = Infinity,
): NodeJS.ReadableStream[] {
  switch (kind) {
    case 'none':
      return [createReadStream(path, { highWaterMark: READ_CHUNK })]
    case 'gzip':
      return [createReadStream(path, { highWaterMark: READ_CHUNK }), zlib.createGunzip()]
    case 'bzip2':
      return [lazily(bunzip2File(path, cap, maxStreams))]
    case 'xz':
      return [lazily(fromWeb(new XzReadableStream(webFileStream(path))))]
  }
}
