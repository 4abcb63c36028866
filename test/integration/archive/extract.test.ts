import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { strToU8 } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_LIMITS,
  extractArchive,
  extractArchiveToDir,
  sniffArchive,
  type ArchiveKind,
} from '../../../src/shared/archive/extract.js'
import {
  fixture,
  leftovers,
  makeTar,
  makeZip,
  requireCommand,
  Scratch,
  SMALL_LIMITS,
  zipCli,
} from '../../fixtures/archives/build-archives.js'

const small = SMALL_LIMITS
const scratch = new Scratch()
afterAll(() => scratch.cleanup())

/** Extracts `buf` and returns each file's name and bytes, checking the on-disk layout on the way. */
async function extract(buf: Buffer, kind: ArchiveKind, limits = small) {
  const { archive, dest } = await scratch.archive(buf)
  const files = await extractArchiveToDir(archive, kind, dest, limits)
  // Names never reach the file system: the i-th file is `${dest}/${i}`.
  expect(files.map((f) => f.file)).toEqual(files.map((_, i) => join(dest, String(i))))
  expect((await readdir(dest)).sort()).toEqual(files.map((_, i) => String(i)).sort())
  const out: { path: string; data: Buffer }[] = []
  for (const f of files) {
    const data = await readFile(f.file)
    expect(data.length).toBe(f.size)
    out.push({ path: f.path, data })
  }
  return out
}
const asText = (entries: { path: string; data: Buffer }[]) =>
  entries.map((e) => ({ path: e.path, text: e.data.toString() })).sort((a, b) => a.path.localeCompare(b.path))

const expected = [
  { path: 'a.txt', text: 'I am so happy today!' },
  { path: 'dir/b.txt', text: 'This is terrible news.' },
]
const goodTar = () =>
  makeTar([
    { name: 'a.txt', body: expected[0]!.text },
    { name: 'dir/', type: 'directory' },
    { name: 'dir/b.txt', body: expected[1]!.text },
  ])

describe('extractArchiveToDir: every supported kind', () => {
  it.each([0, 9] as const)('zip (level %i)', async (level) => {
    const zip = makeZip({ 'a.txt': strToU8(expected[0]!.text), dir: { 'b.txt': strToU8(expected[1]!.text) } }, level)
    expect(sniffArchive(zip)).toBe('zip')
    expect(asText(await extract(zip, 'zip'))).toEqual(expected)
  })

  it('tar and tar.gz', async () => {
    const plain = await goodTar()
    expect(sniffArchive(plain)).toBe('tar')
    expect(asText(await extract(plain, 'tar'))).toEqual(expected)
    const gz = gzipSync(plain)
    expect(sniffArchive(gz)).toBe('tar.gz')
    expect(asText(await extract(gz, 'tar.gz'))).toEqual(expected)
  })

  it.each(['tar.bz2', 'tar.xz'] as const)('%s', async (kind) => {
    const buf = await fixture(`good.${kind}`)
    expect(sniffArchive(buf)).toBe(kind)
    expect(asText(await extract(buf, kind))).toEqual(expected)
  })

  it('keeps every byte of large binary files, across bzip2 blocks too', async () => {
    const big = randomBytes(3_000_000)
    const zip = makeZip({ 'big.bin': big, 'small.bin': big.subarray(0, 10) })
    const [z1, z2] = await extract(zip, 'zip', DEFAULT_LIMITS)
    expect(z1!.data.equals(big)).toBe(true)
    expect(z2!.data.equals(big.subarray(0, 10))).toBe(true)
    const tar = await makeTar([{ name: 'big.bin', body: big }])
    const [t] = await extract(gzipSync(tar), 'tar.gz', DEFAULT_LIMITS)
    expect(t!.data.equals(big)).toBe(true)
  })

  it('bzip2 archives of several blocks and concatenated streams', async () => {
    requireCommand('bzip2')
    const { execFileSync } = await import('node:child_process')
    const big = Buffer.concat([randomBytes(250_000), Buffer.alloc(2_000_000, 'ab'), randomBytes(250_000)])
    const tar = await makeTar([{ name: 'big.bin', body: big }])
    const bz = execFileSync('bzip2', ['-1c'], { input: tar })
    const [t] = await extract(bz, 'tar.bz2', DEFAULT_LIMITS)
    expect(t!.data.equals(big)).toBe(true)
    const halves = [tar.subarray(0, 700_000), tar.subarray(700_000)]
    const concatenated = Buffer.concat(halves.map((h) => execFileSync('bzip2', ['-1c'], { input: h })))
    const [c] = await extract(concatenated, 'tar.bz2', DEFAULT_LIMITS)
    expect(c!.data.equals(big)).toBe(true)
  })

  it('extracts empty files and empty archives', async () => {
    expect(asText(await extract(makeZip({ 'empty.txt': new Uint8Array(0) }), 'zip'))).toEqual([
      { path: 'empty.txt', text: '' },
    ])
    expect(await extract(makeZip({}), 'zip')).toEqual([])
    expect(asText(await extract(await makeTar([{ name: 'empty.txt' }]), 'tar'))).toEqual([
      { path: 'empty.txt', text: '' },
    ])
    expect(await extract(await makeTar([]), 'tar')).toEqual([])
    expect(await extract(gzipSync(await makeTar([{ name: 'd/', type: 'directory' }])), 'tar.gz')).toEqual([])
  })

  it('keeps two members with the same name apart', async () => {
    const tar = await makeTar([
      { name: 'same.txt', body: 'first' },
      { name: './same.txt', body: 'second' },
    ])
    expect((await extract(tar, 'tar')).map((e) => [e.path, e.data.toString()])).toEqual([
      ['same.txt', 'first'],
      ['same.txt', 'second'],
    ])
  })

  it('zip64 archives (supported through yauzl, limits still apply)', async () => {
    requireCommand('zip')
    const dir = await scratch.dir()
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'a.txt'), 'zip64 works')
    const zip64 = await zipCli(dir, ['-fz', 'a.txt'])
    expect(zip64.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true) // zip64 end of central directory
    expect(asText(await extract(zip64, 'zip'))).toEqual([{ path: 'a.txt', text: 'zip64 works' }])
  })

  it('never writes through a link planted in the destination', async () => {
    const { archive, dest } = await scratch.archive(await goodTar())
    await mkdir(dest)
    const target = join(dest, '..', 'target')
    await symlink(target, join(dest, '0'))
    await expect(extractArchiveToDir(archive, 'tar', dest, small)).rejects.toMatchObject({ code: 'EEXIST' })
    expect(existsSync(target)).toBe(false)
    expect(await readdir(dest)).toEqual(['0']) // someone else's file is not ours to remove
  })

  it('does not mistake plain text for an archive', () => {
    expect(sniffArchive(Buffer.from('hello world'))).toBeUndefined()
  })
})

describe('extractArchiveToDir: abort', () => {
  it('refuses to start once aborted', async () => {
    const { archive, dest } = await scratch.archive(await goodTar())
    const reason = new Error('job cancelled')
    await expect(extractArchiveToDir(archive, 'tar', dest, small, AbortSignal.abort(reason))).rejects.toBe(reason)
    expect(await leftovers(dest)).toEqual([])
  })

  const big = Buffer.alloc(60_000_000, 'a')
  it.each([
    ['tar.gz', async () => gzipSync(await makeTar([{ name: 'big.txt', body: big }, { name: 'next.txt' }]))],
    ['zip', async () => makeZip({ 'big.txt': big, 'next.txt': strToU8('x') })],
  ] as const)('stops %s mid-file and removes the partial file', async (kind, build) => {
    const { archive, dest } = await scratch.archive(await build())
    const controller = new AbortController()
    const reason = new Error('job cancelled')
    // Abort as soon as the first file exists: mid-write, since it is 60 MB.
    const poll = setInterval(() => existsSync(join(dest, '0')) && controller.abort(reason), 1)
    try {
      const limits = { ...DEFAULT_LIMITS, maxEntryBytes: 100e6 }
      await expect(extractArchiveToDir(archive, kind, dest, limits, controller.signal)).rejects.toBe(reason)
    } finally {
      clearInterval(poll)
    }
    expect(controller.signal.aborted).toBe(true)
    expect(await leftovers(dest)).toEqual([])
  })
})

describe('extractArchive (deprecated in-memory wrapper)', () => {
  const ours = async () => (await readdir(tmpdir())).filter((n) => /^prosodia-archive-(?!test-)/.test(n))

  it('returns the entries in memory and leaves no temporary files', async () => {
    const before = await ours()
    const zip = makeZip({ 'a.txt': strToU8(expected[0]!.text), dir: { 'b.txt': strToU8(expected[1]!.text) } })
    expect(asText(await extractArchive(zip, 'zip', small))).toEqual(expected)
    const bz = await fixture('bomb.tar.bz2')
    await expect(extractArchive(bz, 'tar.bz2', small)).rejects.toMatchObject({ reason: 'too_large' })
    expect(await ours()).toEqual(before)
  })
})
