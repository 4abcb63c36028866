/**
 * An in-process S3-compatible server (s3rver) on port 0 with its files in a temp dir, for the S3
 * blob store's tests: no network, nothing but npm packages. It also counts the multipart requests it
 * sees, so tests can prove large puts went up in parts.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { readdir, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { ListObjectsV2Command, type S3ClientConfig } from '@aws-sdk/client-s3'
// s3rver ships no types: the little used here is typed by hand below.
// @ts-expect-error -- untyped CommonJS module
import S3rver from 's3rver'
import { s3Client } from '../../../src/shared/storage/s3-blobs.js'
import type { S3Config } from '../../../src/shared/storage/s3-config.js'
import { tempDir } from '../../helpers/temp.js'

/** s3rver's fixed account; the AWS SDK signs with it like with any other key. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

/**
 * Puts s3rver's credentials where production stores find theirs, the environment (the AWS SDK's
 * default chain; worker threads started afterwards inherit it); the returned function restores it.
 */
export function useS3rverCredentials(): () => void {
  const saved = {
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
  }
  process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey
  return () => {
    for (const [name, value] of Object.entries(saved))
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
  }
}

interface KoaContext {
  method: string
  path: string
  query: Record<string, string | undefined>
  querystring: string
  status: number
  body: unknown
  request: { length?: number }
}
interface ListResult {
  objects: { key: string }[]
  isTruncated?: boolean
}
interface S3rverInstance {
  store: { listObjects(bucket: string, options: unknown): Promise<ListResult> }
  middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[]
  run(): Promise<AddressInfo>
  close(): Promise<void>
  httpServer: Server
}

export interface S3TestServer {
  /** A config for the bucket made at start, with `prefix` if given (and presigned download URLs if asked). */
  config(prefix?: string, presignedUrls?: boolean): S3Config
  clientConfig: S3ClientConfig
  /** Multipart requests seen: uploads created, parts (and their bytes), completions, aborts. */
  seen: { created: number; parts: number; partBytes: number; completed: number; aborted: number; puts: string[] }
  /** Every object key in the bucket (all pages). */
  keys(): Promise<string[]>
  /** Multipart uploads started and neither completed nor aborted (their parts still on the server). */
  pendingUploads(): Promise<string[]>
  close(): Promise<void>
}

export async function startS3Server(bucket = 'prosodia-test'): Promise<S3TestServer> {
  const directory = tempDir('s3rver-')
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: process.env.S3RVER_LOG !== '1',
    directory,
    configureBuckets: [{ name: bucket }],
    // Path-style only: a vhost lookup would treat "127.0.0.1" as a bucket name.
    vhostBuckets: false,
  }) as S3rverInstance
  const seen = { created: 0, parts: 0, partBytes: 0, completed: 0, aborted: 0, puts: [] as string[] }
  const uploadsDir = path.join(directory, bucket, '._S3rver_uploads')
  // s3rver 3.7 makes ListObjectsV2 continuation tokens with DES, which Node's OpenSSL 3 refuses (a
  // 500 on any listing past 1000 keys). Pagination is redone here: the token is the last key listed,
  // and the request goes on as the equivalent `start-after`.
  const listing = new AsyncLocalStorage<{ truncatedAfter?: string }>()
  const listObjects = server.store.listObjects.bind(server.store)
  server.store.listObjects = async (b, options) => {
    const result = await listObjects(b, options)
    const state = listing.getStore()
    if (!state || !result.isTruncated) return result
    state.truncatedAfter = result.objects.at(-1)?.key
    return { ...result, isTruncated: false }
  }
  const listV2 = async (ctx: KoaContext, next: () => Promise<void>) => {
    const { 'continuation-token': token, ...rest } = ctx.query
    if (token)
      ctx.querystring = new URLSearchParams({
        ...rest,
        'start-after': Buffer.from(token, 'base64url').toString(),
      } as Record<string, string>).toString()
    const state: { truncatedAfter?: string } = {}
    await listing.run(state, next)
    if (state.truncatedAfter !== undefined && typeof ctx.body === 'string') {
      const next = Buffer.from(state.truncatedAfter).toString('base64url')
      ctx.body = ctx.body.replace(
        '<IsTruncated>false</IsTruncated>',
        `<IsTruncated>true</IsTruncated><NextContinuationToken>${next}</NextContinuationToken>`,
      )
    }
  }
  // Put in front of s3rver's own middleware (Koa composes them when the server starts listening).
  server.middleware.unshift(async (ctx, next) => {
    const q = ctx.query
    if (ctx.method === 'GET' && q['list-type'] === '2') return listV2(ctx, next)
    // s3rver 3.7 lacks AbortMultipartUpload (S3, MinIO and Ceph have it): done here as S3 does it,
    // removing the upload's parts, so tests can check that an aborted put leaves nothing behind.
    if (ctx.method === 'DELETE' && q.uploadId) {
      if (!/^[0-9a-f]+$/.test(q.uploadId)) throw new Error('bad upload id')
      await rm(path.join(uploadsDir, q.uploadId), { recursive: true, force: true })
      seen.aborted++
      ctx.status = 204
      return
    }
    await next()
    if (ctx.status >= 300) return
    // Objects written, by whole put or multipart upload: `bucket/key` (path-style).
    if ((ctx.method === 'PUT' && !q.uploadId) || (ctx.method === 'POST' && 'uploads' in q))
      seen.puts.push(ctx.path.slice(1))
    if (ctx.method === 'POST' && 'uploads' in q) seen.created++
    if (ctx.method === 'POST' && q.uploadId) seen.completed++
    if (ctx.method === 'PUT' && q.uploadId && q.partNumber) {
      seen.parts++
      seen.partBytes += ctx.request.length ?? 0
    }
  })
  const address = await server.run()
  const endpoint = `http://127.0.0.1:${address.port}`
  const clientConfig: S3ClientConfig = { credentials: S3RVER_CREDENTIALS }
  const config = (prefix = '', presignedUrls = false): S3Config => ({
    bucket,
    endpoint,
    region: 'us-east-1',
    prefix,
    presignedUrls,
  })
  const admin = s3Client(config(), clientConfig)
  return {
    config,
    clientConfig,
    seen,
    async keys() {
      const keys: string[] = []
      let token: string | undefined
      do {
        const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }))
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key)
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
      return keys
    },
    pendingUploads: () => readdir(uploadsDir).catch(() => []),
    async close() {
      admin.destroy()
      // The SDK keeps sockets alive; close() would wait for them.
      server.httpServer.closeAllConnections()
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
