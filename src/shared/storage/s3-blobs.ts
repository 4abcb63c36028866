/**
 * The blob store on S3 (or anything that speaks its API: MinIO, Ceph, R2, s3rver in the tests), for
 * deployments where several processes share blobs and nothing stays on one machine's disk. Same
 * contract as LocalBlobStore: writes stream with bounded memory, are counted and hashed as they go,
 * and a refused or aborted write leaves nothing behind (its multipart upload is aborted).
 */
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { checkKey, measuringMeter, toReadable, type BlobSource, type BlobStore, type PutOptions } from './blobs.js'
import type { S3Config } from './s3-config.js'

export interface S3BlobStoreOptions {
  /** Where localFile() downloads blobs to (removed again by release()). */
  scratchDir: string
  /**
   * Multipart part size (S3's minimum is 5 MiB for all but the last part) and parts in flight at
   * once: a put holds about (queueSize + 1) × partSize in memory whatever the blob's size.
   */
  partSize?: number
  queueSize?: number
  /** Overrides of the S3 client's settings (tests pass s3rver's credentials here). */
  client?: S3ClientConfig
}

const MiB = 1024 * 1024
/** ListObjectsV2 pages and DeleteObjects batches are both capped at 1000 keys by S3. */
const PAGE = 1000

export function s3Client(config: S3Config, overrides: S3ClientConfig = {}): S3Client {
  const custom = config.endpoint !== undefined
  return new S3Client({
    region: config.region,
    // MinIO, s3rver and most self-hosted servers have no per-bucket DNS names: path-style URLs.
    ...(custom ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
    // The SDK's default CRC32 checksums on every request are newer than many S3-compatible servers
    // (they refuse or mis-store such uploads); AWS itself keeps the defaults. Integrity is checked
    // by our own md5 either way.
    ...(custom ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    ...overrides,
  })
}

function notFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } }
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404
}

export class S3BlobStore implements BlobStore {
  readonly client: S3Client
  private readonly bucket: string
  private readonly prefix: string
  private readonly partSize: number
  private readonly queueSize: number

  constructor(
    config: S3Config,
    private readonly opts: S3BlobStoreOptions,
  ) {
    this.client = s3Client(config, opts.client)
    this.bucket = config.bucket
    this.prefix = config.prefix ? `${config.prefix}/` : ''
    this.partSize = Math.max(5 * MiB, opts.partSize ?? 8 * MiB)
    this.queueSize = Math.max(1, opts.queueSize ?? 2)
  }

  /** The object key of a blob key: checked like the local store's, under the configured prefix. */
  private objectKey(key: string): string {
    return this.prefix + checkKey(key)
  }

  async put(key: string, source: BlobSource, opts: PutOptions = {}) {
    const Key = this.objectKey(key)
    const { meter, hash } = measuringMeter(opts.maxBytes)
    // Too many bytes, an abort or a failing source destroys the meter; the upload then reads an
    // error instead of the next part, aborts its multipart upload and rejects (after the abort).
    const upstream = pipeline(toReadable(source), meter, { signal: opts.signal })
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: meter },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    })
    // A failed part upload stops reading the meter: destroying it lets the source side settle too.
    const done = upload.done().catch((err: unknown) => {
      meter.destroy(err as Error)
      throw err
    })
    const [read, stored] = await Promise.allSettled([upstream, done])
    // The source's failure is the cause (limit, abort, truncated body); the upload's is only its echo.
    if (read.status === 'rejected') throw read.reason
    if (stored.status === 'rejected') throw stored.reason
    return { size: meter.total, md5: hash.digest('hex') }
  }

  async get(key: string): Promise<Readable | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }))
      return res.Body as Readable
    } catch (err) {
      if (notFound(err)) return undefined
      throw err
    }
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }))
      return { size: res.ContentLength ?? 0 }
    } catch (err) {
      if (notFound(err)) return undefined
      throw err
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }))
  }

  async deletePrefix(prefix: string): Promise<void> {
    const Prefix = `${this.objectKey(prefix)}/`
    let token: string | undefined
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix, MaxKeys: PAGE, ContinuationToken: token }),
      )
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []))
      if (keys.length > 0) {
        const res = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }),
        )
        // DeleteObjects answers 200 even when some keys failed; they are only listed in Errors.
        const failed = res.Errors ?? []
        if (failed.length > 0)
          throw new Error(`deleting ${Prefix}: ${failed.length} objects failed (${failed[0]?.Code}: ${failed[0]?.Key})`)
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  /**
   * A URL that downloads the blob straight from the bucket, without credentials, until it expires
   * (S3 allows at most 7 days). Not part of BlobStore: the local store has no equivalent, and the
   * URL names S3_ENDPOINT, which clients must be able to reach. Signing is local: no request is made.
   */
  async presignedGetUrl(
    key: string,
    o: { expiresInSeconds: number; filename?: string; contentType?: string },
  ): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.objectKey(key),
      ...(o.filename
        ? { ResponseContentDisposition: `attachment; filename="${o.filename.replace(/["\\]/g, '_')}"` }
        : {}),
      ...(o.contentType ? { ResponseContentType: o.contentType } : {}),
    })
    return getSignedUrl(this.client, command, { expiresIn: Math.min(o.expiresInSeconds, 7 * 86_400) })
  }

  /** Downloads the blob to a scratch file: readers that need a path or random access get one. */
  async localFile(key: string) {
    const body = await this.get(key)
    if (!body) return undefined
    await mkdir(this.opts.scratchDir, { recursive: true })
    // The key's extension stays: some readers (ffmpeg probing, archive detection) look at it.
    const file = path.join(this.opts.scratchDir, `s3-${randomUUID()}${path.extname(key)}`)
    const release = () => rm(file, { force: true })
    try {
      await pipeline(body, createWriteStream(file))
    } catch (err) {
      await release()
      throw err
    }
    return { path: file, release }
  }
}
