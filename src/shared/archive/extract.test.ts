import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { strToU8, zipSync } from 'fflate'
import tar from 'tar-stream'
import { describe, expect, it } from 'vitest'
import { ArchiveError, extractArchive, sniffArchive, type ArchiveLimits } from './extract.js'

const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/expression-archives')
const fixture = (name: string) => readFileSync(resolve(FIXTURES, name))
const small: ArchiveLimits = { maxEntries: 10, maxEntryBytes: 1024 * 1024, maxTotalBytes: 2 * 1024 * 1024 }

type TarEntry = {
  name: string
  body?: string
  type?: 'file' | 'symlink' | 'link' | 'directory' | 'fifo'
  linkname?: string
  size?: number
}
async function makeTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer)
  })
  const done = new Promise<void>((r) => pack.on('end', () => r()))
  for (const e of entries) {
    if (e.type === 'file' || e.type === undefined) pack.entry({ name: e.name }, e.body ?? '')
    else pack.entry({ name: e.name, type: e.type, linkname: e.linkname })
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

/** A zip whose central directory marks `name` as a Unix symlink (mode 0120777). */
function zipWithSymlink(): Buffer {
  const buf = Buffer.from(zipSync({ 'link.txt': strToU8('/etc/passwd') }))
  const cd = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
  buf.writeUInt8(3, cd + 5) // made by Unix
  buf.writeUInt32LE((0o120777 << 16) >>> 0, cd + 38)
  return buf
}

/** Rewrites a stored zip entry name in place (same length) to smuggle in a hostile path. */
function zipWithName(hostile: string): Buffer {
  const placeholder = 'x'.repeat(hostile.length)
  const buf = Buffer.from(zipSync({ [placeholder]: strToU8('pwned') }))
  let at = buf.indexOf(placeholder)
  while (at >= 0) {
    buf.write(hostile, at, 'latin1')
    at = buf.indexOf(placeholder, at + 1)
  }
  return buf
}

const reason = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ArchiveError)
  return (err as ArchiveError).reason
}

describe('extractArchive: every supported kind', () => {
  const expected = [
    { path: 'a.txt', text: 'I am so happy today!' },
    { path: 'dir/b.txt', text: 'This is terrible news.' },
  ]
  const asText = (entries: { path: string; data: Buffer }[]) =>
    entries.map((e) => ({ path: e.path, text: e.data.toString() })).sort((a, b) => a.path.localeCompare(b.path))

  it('zip', async () => {
    const zip = Buffer.from(
      zipSync({ 'a.txt': strToU8(expected[0]!.text), dir: { 'b.txt': strToU8(expected[1]!.text) } }),
    )
    expect(sniffArchive(zip)).toBe('zip')
    expect(asText(await extractArchive(zip, 'zip', small))).toEqual(expected)
  })

  it('tar and tar.gz', async () => {
    const plain = await makeTar([
      { name: 'a.txt', body: expected[0]!.text },
      { name: 'dir/', type: 'directory' },
      { name: 'dir/b.txt', body: expected[1]!.text },
    ])
    expect(sniffArchive(plain)).toBe('tar')
    expect(asText(await extractArchive(plain, 'tar', small))).toEqual(expected)
    const gz = gzipSync(plain)
    expect(sniffArchive(gz)).toBe('tar.gz')
    expect(asText(await extractArchive(gz, 'tar.gz', small))).toEqual(expected)
  })

  it.each(['tar.bz2', 'tar.xz'] as const)('%s', async (kind) => {
    const buf = fixture(`good.${kind}`)
    expect(sniffArchive(buf)).toBe(kind)
    expect(asText(await extractArchive(buf, kind, small))).toEqual(expected)
  })

  it('does not mistake plain text for an archive', () => {
    expect(sniffArchive(Buffer.from('hello world'))).toBeUndefined()
  })
})

describe('extractArchive: hostile archives', () => {
  it.each(['../../etc/passwd', '/etc/passwd', 'a/../../x.txt', 'C:evil.txt', 'a\\..\\x.txt'])(
    'refuses the zip entry path %s',
    async (name) => {
      expect(await reason(extractArchive(zipWithName(name), 'zip', small))).toBe('traversal')
    },
  )

  it('refuses traversal in tar', async () => {
    const t = await makeTar([
      { name: 'ok.txt', body: 'x' },
      { name: '../escape.txt', body: 'y' },
    ])
    expect(await reason(extractArchive(t, 'tar', small))).toBe('traversal')
  })

  it('refuses symlinks and hard links', async () => {
    expect(await reason(extractArchive(zipWithSymlink(), 'zip', small))).toBe('link')
    const sym = await makeTar([{ name: 'link', type: 'symlink', linkname: '/etc/passwd' }])
    expect(await reason(extractArchive(gzipSync(sym), 'tar.gz', small))).toBe('link')
    const hard = await makeTar([
      { name: 'a', body: 'x' },
      { name: 'b', type: 'link', linkname: 'a' },
    ])
    expect(await reason(extractArchive(hard, 'tar', small))).toBe('link')
    const fifo = await makeTar([{ name: 'pipe', type: 'fifo' }])
    expect(await reason(extractArchive(fifo, 'tar', small))).toBe('special_file')
  })

  it('stops decompression bombs in every format', async () => {
    const zeros = new Uint8Array(20_000_000)
    const zipBomb = Buffer.from(zipSync({ 'zeros.txt': zeros }, { level: 9 }))
    expect(zipBomb.length).toBeLessThan(100_000)
    expect(await reason(extractArchive(zipBomb, 'zip', small))).toBe('too_large')
    const tarBomb = gzipSync(await makeTar([{ name: 'zeros.txt', body: '\0'.repeat(20_000_000) }]), { level: 9 })
    expect(await reason(extractArchive(tarBomb, 'tar.gz', small))).toBe('too_large')
    expect(await reason(extractArchive(fixture('bomb.tar.bz2'), 'tar.bz2', small))).toBe('too_large')
    expect(await reason(extractArchive(fixture('bomb.tar.xz'), 'tar.xz', small))).toBe('too_large')
  })

  it('stops many small files adding up past the total', async () => {
    const files = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}.txt`, new Uint8Array(400_000)]))
    const zip = Buffer.from(zipSync(files))
    expect(await reason(extractArchive(zip, 'zip', { ...small, maxTotalBytes: 1_000_000 }))).toBe('too_large')
  })

  it('refuses too many entries', async () => {
    const files = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}.txt`, strToU8('x')]))
    expect(await reason(extractArchive(Buffer.from(zipSync(files)), 'zip', small))).toBe('too_many_entries')
  })

  it('reports truncated or garbage archives as corrupt', async () => {
    const zip = Buffer.from(zipSync({ 'a.txt': strToU8('hello') }))
    expect(await reason(extractArchive(zip.subarray(0, 20), 'zip', small))).toBe('corrupt')
    expect(await reason(extractArchive(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), 'tar.gz', small))).toBe('corrupt')
    expect(await reason(extractArchive(Buffer.from('BZh9garbage'), 'tar.bz2', small))).toBe('corrupt')
    expect(await reason(extractArchive(gzipSync(Buffer.from('not a tar at all')), 'tar.gz', small))).toBe('corrupt')
  })
})
