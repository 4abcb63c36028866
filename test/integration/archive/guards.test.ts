import { execFileSync } from 'node:child_process'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { strToU8 } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bunzip2File } from '../../../src/shared/archive/decompress.js'
import {
  ArchiveError,
  DEFAULT_LIMITS,
  extractArchiveToDir,
  type ArchiveKind,
} from '../../../src/shared/archive/extract.js'
import {
  bzip2Bomb,
  leftovers,
  makeTar,
  makeZip,
  requireCommand,
  refusal,
  Scratch,
  zipCli,
  zipWithDeclaredSize,
  zipWithMode,
  zipWithName,
  type TarEntry,
  SMALL_LIMITS,
  fixture,
} from '../../fixtures/archives/build-archives.js'

const small = SMALL_LIMITS
const scratch = new Scratch()
afterAll(() => scratch.cleanup())

/** The refusal reason; also checks that nothing was left in the destination. */
async function refused(buf: Buffer, kind: ArchiveKind, limits = small): Promise<string> {
  const { archive, dest } = await scratch.archive(buf)
  const reason = await refusal(extractArchiveToDir(archive, kind, dest, limits))
  expect(await leftovers(dest)).toEqual([])
  return reason
}
const tar = (entries: TarEntry[]) => makeTar(entries)

describe('path traversal', () => {
  it.each(['../../etc/passwd', '/etc/passwd', 'a/../../x.txt', 'C:evil.txt', 'a\\..\\x.txt', 'a\0.txt'])(
    'refuses the zip entry path %j',
    async (name) => {
      expect(await refused(zipWithName(name), 'zip')).toBe('traversal')
    },
  )

  it.each(['../escape.txt', '/etc/passwd', 'a/../../x.txt', 'C:/evil.txt', 'a\\..\\x.txt'])(
    'refuses the tar entry path %j',
    async (name) => {
      expect(
        await refused(
          await tar([
            { name: 'ok.txt', body: 'x' },
            { name, body: 'y' },
          ]),
          'tar',
        ),
      ).toBe('traversal')
    },
  )

  it.each(['a\0b.txt', '../escape.txt'])('refuses the tar entry path %j from a pax header', async (name) => {
    expect(await refused(await tar([{ name, body: 'y', pax: true }]), 'tar')).toBe('traversal')
  })
})

describe('links and special files', () => {
  it('refuses symbolic and hard links', async () => {
    expect(await refused(zipWithMode(0o120777), 'zip')).toBe('link')
    const sym = await tar([
      { name: 'ok.txt', body: 'x' },
      { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
    ])
    expect(await refused(gzipSync(sym), 'tar.gz')).toBe('link')
    const hard = await tar([
      { name: 'a', body: 'x' },
      { name: 'b', type: 'link', linkname: 'a' },
    ])
    expect(await refused(hard, 'tar')).toBe('link')
  })

  it('refuses a symlink stored by Info-ZIP (zip -y)', async () => {
    requireCommand('zip')
    const dir = await scratch.dir()
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'ok.txt'), 'fine')
    await symlink('/etc/passwd', join(dir, 'link'))
    expect(await refused(await zipCli(dir, ['-y', 'ok.txt', 'link']), 'zip')).toBe('link')
  })

  it('refuses devices and FIFOs', async () => {
    expect(await refused(zipWithMode(0o010644), 'zip')).toBe('special_file') // FIFO
    expect(await refused(zipWithMode(0o020644), 'zip')).toBe('special_file') // character device
    expect(await refused(await tar([{ name: 'pipe', type: 'fifo' }]), 'tar')).toBe('special_file')
    expect(await refused(await tar([{ name: 'tty', type: 'character-device' }]), 'tar')).toBe('special_file')
  })
})

describe('entry count and sizes', () => {
  it('refuses a zip of 1,001 files under the default limits', async () => {
    const files = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`f${i}.txt`, strToU8('x')]))
    expect(await refused(makeZip(files), 'zip', DEFAULT_LIMITS)).toBe('too_many_entries')
  })

  it('refuses too many tar entries, directories included (each costs a header)', async () => {
    const files = Array.from({ length: 11 }, (_, i): TarEntry => ({ name: `f${i}.txt`, body: 'x' }))
    expect(await refused(await tar(files), 'tar')).toBe('too_many_entries')
    const dirs = Array.from({ length: 5 }, (_, i): TarEntry => ({ name: `d${i}/`, type: 'directory' }))
    const { archive, dest } = await scratch.archive(await tar([...dirs, ...files.slice(0, 5)]))
    expect(await extractArchiveToDir(archive, 'tar', dest, small)).toHaveLength(5)
    expect(await refused(await tar([...dirs, ...files.slice(0, 6)]), 'tar')).toBe('too_many_entries')
  })

  it('refuses a zip of many directories and a bzip2 file of many empty streams, without working through them', async () => {
    const dirs: Record<string, Uint8Array> = {}
    for (let i = 0; i < 5000; i++) dirs[`d${i}/`] = new Uint8Array(0)
    expect(await refused(makeZip(dirs), 'zip')).toBe('too_many_entries')
    requireCommand('bzip2')
    const empty = execFileSync('bzip2', ['-c'], { input: Buffer.alloc(0) })
    expect(empty.length).toBeLessThan(20)
    // 100,000 empty streams: a 1.4 MB file that used to cost minutes of a worker thread.
    expect(await refused(Buffer.concat(Array.from({ length: 100_000 }, () => empty)), 'tar.bz2')).toBe(
      'too_many_entries',
    )
  })

  it('refuses an entry whose declared size is over the per-entry limit, before inflating it', async () => {
    const zip = makeZip({ 'big.bin': new Uint8Array(20_000_000) })
    const { archive, dest } = await scratch.archive(zip)
    const err = await extractArchiveToDir(archive, 'zip', dest, small).catch((e: unknown) => e)
    expect(err).toMatchObject({ reason: 'too_large', message: expect.stringContaining('is 20000000 bytes') })
    expect(await leftovers(dest)).toEqual([])
    expect(await refused(gzipSync(await tar([{ name: 'big.bin', body: Buffer.alloc(2_000_000) }])), 'tar.gz')).toBe(
      'too_large',
    )
  })

  it('refuses a zip entry that inflates past its declared size', async () => {
    expect(await refused(zipWithDeclaredSize({ 'a.bin': new Uint8Array(5_000_000) }, 1000), 'zip')).toBe('corrupt')
  })

  it('stops many small files adding up past the total', async () => {
    const limits = { ...small, maxTotalBytes: 1_000_000 }
    const files = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}.txt`, new Uint8Array(400_000)]))
    expect(await refused(makeZip(files), 'zip', limits)).toBe('too_large')
    const entries = Object.keys(files).map((name): TarEntry => ({ name, body: Buffer.alloc(400_000) }))
    expect(await refused(gzipSync(await tar(entries)), 'tar.gz', limits)).toBe('too_large')
  })
})

describe('decompression bombs', () => {
  it('stops bombs in every format', async () => {
    const zeros = new Uint8Array(20_000_000)
    const zipBomb = makeZip({ 'zeros.txt': zeros })
    expect(zipBomb.length).toBeLessThan(100_000)
    expect(await refused(zipBomb, 'zip')).toBe('too_large')
    const tarBomb = gzipSync(await tar([{ name: 'zeros.txt', body: Buffer.from(zeros) }]), { level: 9 })
    expect(await refused(tarBomb, 'tar.gz')).toBe('too_large')
    expect(await refused(await fixture('bomb.tar.bz2'), 'tar.bz2')).toBe('too_large')
    expect(await refused(await fixture('bomb.tar.xz'), 'tar.xz')).toBe('too_large')
  })

  describe('a few hundred bytes of tar.bz2 expanding to 6 × 40 MB', () => {
    beforeAll(() => requireCommand('bzip2'))
    let bomb: Buffer
    beforeAll(async () => {
      bomb = await bzip2Bomb(6, 40_000_000)
    }, 60_000)

    it('is refused under the default limits', { timeout: 60_000 }, async () => {
      expect(bomb.length).toBeLessThan(1024)
      expect(await refused(bomb, 'tar.bz2', DEFAULT_LIMITS)).toBe('too_large')
    })

    it('is not decoded past the limit', async () => {
      const { archive } = await scratch.archive(bomb)
      const cap = 50_000_000
      let decoded = 0
      const err = await (async () => {
        for (const chunk of bunzip2File(archive, cap)) decoded += chunk.length
      })().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ArchiveError)
      expect((err as ArchiveError).reason).toBe('too_large')
      expect(decoded).toBeLessThanOrEqual(cap)
    })
  })
})

describe('corrupt archives', () => {
  it('reports truncated or garbage archives as corrupt', async () => {
    const zip = makeZip({ 'a.txt': strToU8('hello') })
    expect(await refused(zip.subarray(0, 20), 'zip')).toBe('corrupt')
    expect(await refused(Buffer.alloc(0), 'zip')).toBe('corrupt')
    const badLocal = Buffer.from(zip)
    badLocal.writeUInt32LE(0, 0) // local file header signature
    expect(await refused(badLocal, 'zip')).toBe('corrupt')
    expect(await refused(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), 'tar.gz')).toBe('corrupt')
    expect(await refused(Buffer.from('BZh9garbage'), 'tar.bz2')).toBe('corrupt')
    expect(await refused(gzipSync(Buffer.from('not a tar at all')), 'tar.gz')).toBe('corrupt')
    const gz = gzipSync(await tar([{ name: 'a.txt', body: 'x'.repeat(100_000) }]))
    expect(await refused(gz.subarray(0, gz.length - 20), 'tar.gz')).toBe('corrupt')
    const xz = await fixture('good.tar.xz')
    expect(await refused(xz.subarray(0, xz.length - 30), 'tar.xz')).toBe('corrupt')
  })

  it('lets a failing system call through unchanged (it says nothing about the archive)', async () => {
    const dest = await scratch.dir()
    const err = await extractArchiveToDir(join(dest, 'missing.zip'), 'zip', dest).catch((e: unknown) => e)
    expect(err).not.toBeInstanceOf(ArchiveError)
    expect(err).toMatchObject({ code: 'ENOENT' })
  })
})
