/**
 * Runs the BlobStore contract against the local store and the S3 store (on an in-process s3rver),
 * plus what only the S3 store has: its key prefix and its scratch copies.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalBlobStore, createBlobStore } from '../../../src/shared/storage/blobs.js'
import { S3BlobStore } from '../../../src/shared/storage/s3-blobs.js'
import { describeBlobStoreContract } from './blob-store.contract.js'
import { startS3Server, useS3rverCredentials, type S3TestServer } from './s3-server.js'

const MiB = 1024 * 1024

/** Files under `dir` (recursively), relative to it; none if it does not exist. */
async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}

describeBlobStoreContract('local disk', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'blobs-contract-'))
  return {
    store: new LocalBlobStore(root),
    async written(dir) {
      const names = await files(path.join(root, dir))
      const sizes = await Promise.all(
        names.map((n) =>
          stat(path.join(root, dir, n)).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      )
      return sizes.reduce((a, b) => a + b, 0)
    },
    // Stream buffers only: the chunk being written and one read ahead.
    maxAhead: 4 * MiB,
    leftovers: (dir) => files(path.join(root, dir)),
    localFileIsCopy: false,
    close: () => rm(root, { recursive: true, force: true }),
  }
})

describeBlobStoreContract('S3 (s3rver)', async () => {
  const s3 = await startS3Server()
  const scratchDir = await mkdtemp(path.join(tmpdir(), 'blobs-scratch-'))
  const prefix = 'tenant/a'
  // S3's smallest part, so that 24 MiB needs several parts and the bound below means something.
  const partSize = 5 * MiB
  const store = new S3BlobStore(s3.config(prefix), { scratchDir, partSize, queueSize: 2, client: s3.clientConfig })
  return {
    store,
    written: async () => s3.seen.partBytes,
    // Two parts in flight and one being filled, plus stream buffers.
    maxAhead: 3 * partSize + 4 * MiB,
    async leftovers(dir) {
      const under = `${prefix}/${dir}/`
      const keys = (await s3.keys()).filter((k) => k.startsWith(under))
      return [...keys, ...(await s3.pendingUploads())]
    },
    multipart: () => ({ ...s3.seen }),
    localFileIsCopy: true,
    async close() {
      store.client.destroy()
      await s3.close()
      await rm(scratchDir, { recursive: true, force: true })
    },
  }
})

describe('S3 blob store specifics', () => {
  let s3: S3TestServer
  let scratchDir: string
  beforeAll(async () => {
    s3 = await startS3Server()
    scratchDir = await mkdtemp(path.join(tmpdir(), 'blobs-scratch-'))
  })
  afterAll(async () => {
    await s3?.close()
    await rm(scratchDir, { recursive: true, force: true })
  })

  it('keeps every object under S3_PREFIX, and nothing else in the bucket is touched', async () => {
    const a = new S3BlobStore(s3.config('team-a'), { scratchDir, client: s3.clientConfig })
    const b = new S3BlobStore(s3.config(''), { scratchDir, client: s3.clientConfig })
    await a.put('batch/1/x', 'from a')
    await b.put('batch/1/x', 'from b')
    expect((await s3.keys()).sort()).toEqual(['batch/1/x', 'team-a/batch/1/x'])
    await a.deletePrefix('batch')
    expect(await s3.keys()).toEqual(['batch/1/x'])
    a.client.destroy()
    b.client.destroy()
  })

  it('presigns download URLs that work without credentials', async () => {
    const store = new S3BlobStore(s3.config('signed'), { scratchDir, client: s3.clientConfig })
    await store.put('chat/1/audio.wav', 'RIFF audio bytes')
    const url = await store.presignedGetUrl('chat/1/audio.wav', {
      expiresInSeconds: 3600,
      filename: 'audio.wav',
      contentType: 'audio/wav',
    })
    expect(url).toContain('X-Amz-Signature=')
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('audio/wav')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="audio.wav"')
    expect(await res.text()).toBe('RIFF audio bytes')
    // s3rver does not check SigV4 signatures (AWS and MinIO do), so what is checked here is what
    // the URL carries: the prefixed key and the expiry asked for.
    const u = new URL(url)
    expect(u.pathname).toBe('/prosodia-test/signed/chat/1/audio.wav')
    expect(u.searchParams.get('X-Amz-Expires')).toBe('3600')
    store.client.destroy()
  })

  it('puts small blobs in one request (no multipart upload)', async () => {
    const store = new S3BlobStore(s3.config(), { scratchDir, client: s3.clientConfig })
    const before = { ...s3.seen }
    await store.put('small/one', Buffer.alloc(MiB))
    expect(s3.seen.created).toBe(before.created)
    expect(await store.stat('small/one')).toEqual({ size: MiB })
    store.client.destroy()
  })

  it('is what createBlobStore gives when the config has s3 (scratch copies under the data dir)', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'blobs-data-'))
    const blobDir = path.join(dataDir, 'blobs')
    // The configured store takes its credentials from the SDK's default chain, as in production.
    const restoreCredentials = useS3rverCredentials()
    try {
      const store = createBlobStore({ blobDir, dataDir, s3: s3.config('made') })
      await store.put('k/v.txt', 'configured')
      expect(await s3.keys()).toContain('made/k/v.txt')
      const file = (await store.localFile('k/v.txt'))!
      expect(path.dirname(file.path)).toBe(path.join(dataDir, 'tmp'))
      await file.release()
      expect(await files(dataDir)).toEqual([])
    } finally {
      restoreCredentials()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
