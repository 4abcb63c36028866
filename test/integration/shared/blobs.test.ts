import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlobTooLargeError, LocalBlobStore, checkKey } from '../../../src/shared/storage/blobs.js'

describe('LocalBlobStore', () => {
  let dir: string
  let store: LocalBlobStore
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'blobs-'))
    store = new LocalBlobStore(dir)
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('stores a stream, counting and hashing it, and reads it back', async () => {
    const r = await store.put('a/b/c.txt', Readable.from(['hello ', 'world']))
    expect(r).toEqual({ size: 11, md5: '5eb63bbbe01eeed093cb22bb8f5acdc3' })
    expect(await text((await store.get('a/b/c.txt'))!)).toBe('hello world')
    expect(await store.stat('a/b/c.txt')).toEqual({ size: 11 })
    expect((await store.localFile('a/b/c.txt'))?.path).toBe(path.join(dir, 'a/b/c.txt'))
  })

  it('refuses a source over maxBytes and leaves nothing behind', async () => {
    const big = Readable.from(
      (function* () {
        for (let i = 0; i < 100; i++) yield Buffer.alloc(1024)
      })(),
    )
    await expect(store.put('x/big', big, { maxBytes: 10_000 })).rejects.toBeInstanceOf(BlobTooLargeError)
    expect(await store.stat('x/big')).toBeUndefined()
    expect(await readdir(path.join(dir, 'x'))).toEqual([])
  })

  it('answers undefined for a missing blob and deletes by prefix', async () => {
    expect(await store.get('nope')).toBeUndefined()
    await store.put('job/1/a', 'x')
    await store.put('job/1/b', 'y')
    await store.deletePrefix('job/1')
    expect(await store.stat('job/1/a')).toBeUndefined()
  })

  it.each(['../etc/passwd', '/abs', 'a/../b', 'a//b', '', 'a/./b', '.hidden'])('refuses the key %j', (key) => {
    expect(() => checkKey(key)).toThrow(/invalid blob key/)
  })
})
