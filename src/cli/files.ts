import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { readFile, rename, rm, stat } from 'node:fs/promises'
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
 * Streams a response body into `path` through `path.part`, renamed at the end: an interrupted download never
 * leaves a file that looks complete. Returns the bytes written.
 */
export async function writeStreamToFile(stream: ReadableStream<Uint8Array>, path: string): Promise<number> {
  const part = `${path}.part`
  let bytes = 0
  const counted = Readable.fromWeb(stream as WebReadableStream<Uint8Array>).map((chunk: Uint8Array) => {
    bytes += chunk.byteLength
    return chunk
  })
  try {
    await pipeline(counted, createWriteStream(part))
    await rename(part, path)
  } catch (err) {
    await rm(part, { force: true })
    throw err
  }
  return bytes
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
