/**
 * The BlobStore contract: every store (local disk, S3) passes these same cases, so the domains can
 * treat them as one. Run by blob-stores.test.ts with a harness per store.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlobTooLargeError, type BlobStore } from '../../../src/shared/storage/blobs.js'

export interface BlobStoreHarness {
  store: BlobStore
  /** Bytes the store has handed on (to disk, to the server) so far under `dir`: what it no longer buffers. */
  written(dir: string): Promise<number>
  /** How far a put may read ahead of written(): the store's own buffering. */
  maxAhead: number
  /** Whatever is stored under `dir`, including a failed put's remains (temp files, pending multipart parts). */
  leftovers(dir: string): Promise<string[]>
  /** Multipart requests the server saw (S3 only). */
  multipart?: () => { created: number; parts: number; aborted: number }
  /** localFile() hands out a copy that release() removes (S3), not the blob itself (local). */
  localFileIsCopy: boolean
  close(): Promise<void>
}

const MiB = 1024 * 1024
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex')
const read = async (s: Readable | undefined) => (s ? buffer(s) : undefined)

/** `total` bytes in 1 MiB chunks, made only when the store asks for them; calls `onChunk` first. */
function lazySource(total: number, onChunk: (produced: number) => Promise<void> = async () => {}): Readable {
  return Readable.from(
    (async function* () {
      for (let produced = 0; produced < total;) {
        const n = Math.min(MiB, total - produced)
        await onChunk(produced)
        produced += n
        yield Buffer.alloc(n, produced % 251)
      }
    })(),
    // One chunk read ahead, not Readable.from's default 16: the store's buffering is what is measured.
    { highWaterMark: 1 },
  )
}

export function describeBlobStoreContract(name: string, make: () => Promise<BlobStoreHarness>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let h: BlobStoreHarness
    let store: BlobStore
    beforeAll(async () => {
      h = await make()
      store = h.store
    })
    afterAll(() => h?.close())

    it('round-trips every kind of source, counting and hashing the bytes', async () => {
      const bytes = randomBytes(100_000)
      expect(await store.put('rt/bytes.bin', bytes)).toEqual({ size: bytes.length, md5: md5(bytes) })
      expect(await read(await store.get('rt/bytes.bin'))).toEqual(bytes)
      expect(await store.stat('rt/bytes.bin')).toEqual({ size: bytes.length })

      expect(await store.put('rt/text', 'hello world')).toEqual({ size: 11, md5: '5eb63bbbe01eeed093cb22bb8f5acdc3' })
      const iterable = (async function* () {
        yield new TextEncoder().encode('hello ')
        yield new TextEncoder().encode('world')
      })()
      expect(await store.put('rt/iterable', iterable)).toEqual({ size: 11, md5: '5eb63bbbe01eeed093cb22bb8f5acdc3' })
      expect((await read(await store.get('rt/iterable')))?.toString()).toBe('hello world')

      expect(await store.put('rt/empty', Buffer.alloc(0))).toEqual({ size: 0, md5: md5(Buffer.alloc(0)) })
      expect(await store.stat('rt/empty')).toEqual({ size: 0 })
      expect((await read(await store.get('rt/empty')))?.length).toBe(0)

      // A second put replaces the first.
      await store.put('rt/text', 'second')
      expect((await read(await store.get('rt/text')))?.toString()).toBe('second')
    })

    it('streams a 24 MiB put without holding it in memory', async () => {
      const total = 24 * MiB
      const before = h.multipart?.()
      let start: number | undefined
      let ahead = 0
      const source = lazySource(total, async (produced) => {
        const written = await h.written('large')
        start ??= written
        ahead = Math.max(ahead, produced - (written - start))
      })
      const r = await store.put('large/blob', source)
      expect(r.size).toBe(total)
      // A store that buffered the whole body would read all 24 MiB before handing any of it on.
      expect(ahead).toBeLessThanOrEqual(h.maxAhead)
      expect(ahead).toBeLessThan(total - 4 * MiB)
      const back = (await read(await store.get('large/blob')))!
      expect(back.length).toBe(total)
      expect(md5(back)).toBe(r.md5)
      if (before) {
        const after = h.multipart!()
        expect(after.created - before.created).toBe(1)
        expect(after.parts - before.parts).toBeGreaterThanOrEqual(3)
      }
    })

    it('refuses a source over maxBytes and leaves nothing behind (no object, no parts)', async () => {
      const before = h.multipart?.()
      const put = store.put('too-big/blob', lazySource(14 * MiB), { maxBytes: 7 * MiB })
      await expect(put).rejects.toBeInstanceOf(BlobTooLargeError)
      expect(await store.stat('too-big/blob')).toBeUndefined()
      expect(await h.leftovers('too-big')).toEqual([])
      // Over one part went up before the limit was passed: the multipart upload was aborted.
      if (before) expect(h.multipart!().aborted - before.aborted).toBe(1)
    })

    it('stops when its signal aborts and leaves nothing behind', async () => {
      const before = h.multipart?.()
      const ac = new AbortController()
      const source = lazySource(64 * MiB, async (produced) => {
        if (produced === 10 * MiB) ac.abort()
      })
      await expect(store.put('aborted/blob', source, { signal: ac.signal })).rejects.toMatchObject({
        name: 'AbortError',
      })
      expect(await store.stat('aborted/blob')).toBeUndefined()
      expect(await h.leftovers('aborted')).toEqual([])
      if (before) expect(h.multipart!().aborted - before.aborted).toBe(1)

      await expect(store.put('aborted/early', 'x', { signal: AbortSignal.abort() })).rejects.toMatchObject({
        name: 'AbortError',
      })
      expect(await store.stat('aborted/early')).toBeUndefined()
    })

    it('answers undefined for a missing blob and deletes one quietly', async () => {
      expect(await store.get('missing/blob')).toBeUndefined()
      expect(await store.stat('missing/blob')).toBeUndefined()
      expect(await store.localFile('missing/blob')).toBeUndefined()
      await store.delete('missing/blob')
      await store.put('del/one', 'x')
      await store.delete('del/one')
      expect(await store.stat('del/one')).toBeUndefined()
    })

    it('deletes 1200 blobs by prefix (more than one listing page), and only those', async () => {
      const keys = Array.from({ length: 1200 }, (_, i) => `many/${i % 7}/k${i}`)
      for (let i = 0; i < keys.length; i += 32) await Promise.all(keys.slice(i, i + 32).map((k) => store.put(k, k)))
      await store.put('many-other/keep', 'sibling whose name starts like the prefix')
      await store.put('manyx', 'another')
      expect((await h.leftovers('many')).length).toBe(1200)
      await store.deletePrefix('many')
      expect(await h.leftovers('many')).toEqual([])
      expect(await store.stat('many/3/k3')).toBeUndefined()
      expect(await store.stat('many-other/keep')).toEqual({ size: 41 })
      expect(await store.stat('manyx')).toEqual({ size: 7 })
      await store.deletePrefix('nothing-here')
    })

    it('gives a readable local file for a blob; release() removes a copy, never the blob', async () => {
      const bytes = randomBytes(50_000)
      await store.put('lf/blob.wav', bytes)
      const file = (await store.localFile('lf/blob.wav'))!
      expect(await readFile(file.path)).toEqual(bytes)
      await file.release()
      if (h.localFileIsCopy) await expect(stat(file.path)).rejects.toMatchObject({ code: 'ENOENT' })
      else expect((await stat(file.path)).size).toBe(bytes.length)
      expect(await store.stat('lf/blob.wav')).toEqual({ size: bytes.length })
    })

    it.each(['../etc/passwd', '/abs', 'a/../b', 'a//b', '', 'a/./b', '.hidden', 'a/'])(
      'refuses the key %j in every operation',
      async (key) => {
        const calls = [
          () => store.put(key, 'x'),
          () => store.get(key),
          () => store.stat(key),
          () => store.delete(key),
          () => store.deletePrefix(key),
          () => store.localFile(key),
        ]
        for (const call of calls) await expect(call()).rejects.toThrow(/invalid blob key/)
      },
    )
  })
}
