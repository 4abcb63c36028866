import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { lstat, readFile, realpath, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { CliError, type Io } from './context.js'

/** A JSON file the user names (`evi prompts create p.json`): a missing or broken file is named in the error. */
export async function readJsonFile(path: string, maxBytes = 5_000_000): Promise<unknown> {
  const info = await stat(path)
  if (!info.isFile()) throw new CliError(`not a file: ${path}`)
  if (info.size > maxBytes) throw new CliError(`${path} is larger than ${maxBytes} bytes`)
  const text = await readFile(path, 'utf8')
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new CliError(`${path} is not valid JSON: ${(err as Error).message}`)
  }
}

/**
 * Streams a response body into `path`. A regular file (or a new one) is written beside it under a unique
 * temporary name and renamed over it at the end, so an interrupted download never looks complete; anything
 * else the user names (a device such as /dev/null, a FIFO) is written in place, and a symlink's target is
 * written, never the link replaced. Errors name the user's own path. Returns the bytes written.
 */
export async function writeStreamToFile(stream: ReadableStream<Uint8Array>, path: string): Promise<number> {
  let bytes = 0
  const counted = Readable.fromWeb(stream as WebReadableStream<Uint8Array>).map((chunk: Uint8Array) => {
    bytes += chunk.byteLength
    return chunk
  })
  const target = await realTarget(path)
  const existing = await stat(target).catch(() => undefined)
  if (existing?.isDirectory()) throw new CliError(`${path} is a directory, not a file`)
  if (existing && !existing.isFile()) {
    await pipeline(counted, createWriteStream(target)).catch((err: unknown) => rethrowFor(path, err))
    return bytes
  }
  const part = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.part`)
  try {
    await pipeline(counted, createWriteStream(part, { flags: 'wx' }))
    await rename(part, target)
  } catch (err) {
    await rm(part, { force: true })
    rethrowFor(path, err)
  }
  return bytes
}

/** Where a symlink points (the file the user meant), or the path itself. */
async function realTarget(path: string): Promise<string> {
  const link = await lstat(path).catch(() => undefined)
  return link?.isSymbolicLink() ? realpath(path).catch(() => path) : path
}

function rethrowFor(path: string, err: unknown): never {
  const code = (err as { code?: string }).code
  if (code === 'ENOENT') throw new CliError(`cannot write ${path}: its directory does not exist`)
  if (code === 'EACCES' || code === 'EPERM') throw new CliError(`cannot write ${path}: permission denied`)
  if (code === 'EISDIR') throw new CliError(`${path} is a directory, not a file`)
  throw err
}

/** Streams a response body onto stdout (which must not be closed: a pipe may want more). */
export async function writeStreamToStdout(io: Io, stream: ReadableStream<Uint8Array>): Promise<number> {
  let bytes = 0
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return bytes
    bytes += value.byteLength
    if (!io.stdout.write(value)) await once(io.stdout, 'drain')
  }
}
