/**
 * Where bytes live that do not belong in the database: uploads, fetched media, job results and
 * artifacts. The interface is what an S3 store can also offer; `LocalBlobStore` keeps them as
 * files under the data dir. Writes stream (memory stays bounded whatever the size), count and
 * hash as they go, and land atomically: a temp file renamed into place, removed on failure.
 */
import { createHash, type Hash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ByteMeter } from '../streams/byte-meter.js'
import type { S3Config } from './s3-config.js'

export interface PutResult {
  size: number
  md5: string
}

export interface PutOptions {
  /** Refuse (BlobTooLargeError, nothing stored) once the source passes this many bytes. */
  maxBytes?: number
  signal?: AbortSignal
}

export type BlobSource = Readable | AsyncIterable<Uint8Array> | Uint8Array | string

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`)
    this.name = 'BlobTooLargeError'
  }
}

export interface BlobStore {
  put(key: string, source: BlobSource, opts?: PutOptions): Promise<PutResult>
  /** The blob's bytes as a stream, or undefined if there is no such blob. */
  get(key: string): Promise<Readable | undefined>
  stat(key: string): Promise<{ size: number } | undefined>
  delete(key: string): Promise<void>
  /** Deletes every blob whose key starts with `prefix/`. */
  deletePrefix(prefix: string): Promise<void>
  /**
   * A file on local disk holding the blob, for readers that need a path or random access (zip
   * central directories, ffmpeg). The local store hands out the file itself; release() is a no-op.
   */
  localFile(key: string): Promise<{ path: string; release(): Promise<void> } | undefined>
  /** S3 only: a URL that downloads the blob without credentials until it expires (see S3BlobStore). */
  presignedGetUrl?(
    key: string,
    o: { expiresInSeconds: number; filename?: string; contentType?: string },
  ): Promise<string>
}

/** Keys are relative, slash-separated, and never climb: `batch/<job>/uploads/0`. */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/

export function checkKey(key: string): string {
  if (!KEY.test(key) || key.split('/').some((p) => p === '..' || p === '.'))
    throw new Error(`invalid blob key ${JSON.stringify(key)}`)
  return key
}

export function toReadable(source: BlobSource): Readable {
  if (source instanceof Readable) return source
  if (typeof source === 'string' || source instanceof Uint8Array) return Readable.from([Buffer.from(source)])
  return Readable.from(source)
}

/** Counts and md5-hashes the bytes that pass, failing with BlobTooLargeError past `maxBytes`: every store's put. */
export function measuringMeter(maxBytes = Infinity): { meter: ByteMeter; hash: Hash } {
  const hash = createHash('md5')
  const meter = new ByteMeter((total, chunk) => {
    if (total > maxBytes) throw new BlobTooLargeError(maxBytes)
    hash.update(chunk)
  })
  return { meter, hash }
}

let tempCounter = 0

export class LocalBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  private file(key: string): string {
    return path.join(this.root, checkKey(key))
  }

  async put(key: string, source: BlobSource, opts: PutOptions = {}): Promise<PutResult> {
    const dest = this.file(key)
    const temp = `${dest}.${process.pid}.${++tempCounter}.part`
    const { meter, hash } = measuringMeter(opts.maxBytes)
    // Consume the source at once: an error it emits while the directory is being made (say, a
    // request body cut short) must reach this pipeline, not go unheard and leave it waiting.
    const upstream = pipeline(toReadable(source), meter, { signal: opts.signal })
    upstream.catch(() => {})
    try {
      await mkdir(path.dirname(dest), { recursive: true })
      await Promise.all([upstream, pipeline(meter, createWriteStream(temp))])
      await rename(temp, dest)
    } catch (err) {
      meter.destroy()
      await rm(temp, { force: true })
      throw err
    }
    return { size: meter.total, md5: hash.digest('hex') }
  }

  async get(key: string): Promise<Readable | undefined> {
    const file = this.file(key)
    if (!(await this.stat(key))) return undefined
    return createReadStream(file)
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    // An invalid key is refused, not reported missing: outside the try.
    const file = this.file(key)
    try {
      const s = await stat(file)
      return s.isFile() ? { size: s.size } : undefined
    } catch {
      return undefined
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true })
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.file(prefix), { recursive: true, force: true })
  }

  async localFile(key: string) {
    if (!(await this.stat(key))) return undefined
    return { path: this.file(key), release: async () => {} }
  }
}

export interface BlobStoreConfig {
  blobDir: string
  /** Set: blobs live on S3 (or a compatible server) and nothing is kept under blobDir. */
  s3?: S3Config | undefined
  /** Where the S3 store downloads localFile() copies (default: `<dataDir>/tmp`, else the OS temp dir). */
  scratchDir?: string
  dataDir?: string
}

/** The blob store the configuration selects: S3 when `s3` is set, otherwise local disk. */
export function createBlobStore(config: BlobStoreConfig): BlobStore {
  const s3 = config.s3
  if (!s3) return new LocalBlobStore(config.blobDir)
  const scratchDir = config.scratchDir ?? (config.dataDir ? path.join(config.dataDir, 'tmp') : tmpdir())
  // The AWS SDK takes ~200 ms to import: loaded on first use, not by every process and worker
  // thread that imports this module for the local store.
  let store: Promise<BlobStore> | undefined
  const load = () => (store ??= import('./s3-blobs.js').then((m) => new m.S3BlobStore(s3, { scratchDir })))
  return {
    put: async (key, source, opts) => (await load()).put(key, source, opts),
    get: async (key) => (await load()).get(key),
    stat: async (key) => (await load()).stat(key),
    delete: async (key) => (await load()).delete(key),
    deletePrefix: async (prefix) => (await load()).deletePrefix(prefix),
    localFile: async (key) => (await load()).localFile(key),
    presignedGetUrl: async (key, o) => (await load()).presignedGetUrl!(key, o),
  }
}

/** Which store the configuration selects, for /healthz (no credentials: the SDK finds those itself). */
export function describeBlobStore(config: BlobStoreConfig): { store: 'local' } | { store: 's3'; bucket: string } {
  return config.s3 ? { store: 's3', bucket: config.s3.bucket } : { store: 'local' }
}
