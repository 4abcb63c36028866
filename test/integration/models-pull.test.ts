// `prosodia models pull kokoro` against a local server shaped like Hugging Face: the resolve URL
// answers HEAD with a redirect carrying x-linked-etag (SHA-256) and x-linked-size, and the CDN
// URL serves the bytes with Range support. No real network.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli.js'
import { modelsPull, progressBar } from '../../src/models.cli.js'
import { tempDir } from '../helpers/temp.js'

const FILE = randomBytes(300_000)
const SHA = createHash('sha256').update(FILE).digest('hex')
const RESOLVE = '/onnx-community/Kokoro-82M-v1.0-ONNX/resolve/main/onnx/model_quantized.onnx'

interface Behaviour {
  sha: string | undefined
  /** Destroy the socket after this many body bytes, once. */
  dropAfter?: number
}

let server: Server
let base: string
let behaviour: Behaviour
const ranges: (string | undefined)[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === RESOLVE) {
      const headers: Record<string, string | number> = { location: '/cdn/model', 'x-linked-size': FILE.length }
      if (behaviour.sha) headers['x-linked-etag'] = `"${behaviour.sha}"`
      res.writeHead(302, headers).end()
      return
    }
    if (req.url !== '/cdn/model') return void res.writeHead(404).end()
    ranges.push(req.headers.range)
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0)
    const body = FILE.subarray(from)
    res.writeHead(from > 0 ? 206 : 200, { 'content-length': body.length })
    const drop = behaviour.dropAfter
    if (drop !== undefined) {
      behaviour.dropAfter = undefined
      res.write(body.subarray(0, drop), () => setTimeout(() => res.destroy(), 20))
    } else res.end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

describe('prosodia models pull kokoro', () => {
  let modelsDir: string
  let log: string
  const out = { write: (s: string) => (log += s), isTTY: false }
  const pull = (args = ['kokoro']) =>
    modelsPull(args, { PROSODIA_MODELS_DIR: modelsDir, PROSODIA_MODELS_BASE_URL: base }, out)
  const dest = () => join(modelsDir, 'kokoro', 'model.onnx')
  const parts = () => readdirSync(join(modelsDir, 'kokoro')).filter((f) => f.endsWith('.part'))

  beforeEach(() => {
    modelsDir = tempDir('prosodia-pull-')
    log = ''
    ranges.length = 0
    behaviour = { sha: SHA }
  })

  it('downloads, verifies the published SHA-256 and installs the file, with progress on stderr', async () => {
    expect(await pull()).toBe(0)
    expect(readFileSync(dest()).equals(FILE)).toBe(true)
    expect(parts()).toEqual([])
    expect(log).toContain('100%')
    expect(log).toContain(`sha256 ${SHA} verified`)
    // A second run checks the installed file and downloads nothing.
    ranges.length = 0
    expect(await pull()).toBe(0)
    expect(ranges).toEqual([])
    expect(log).toContain('already up to date')
  })

  it('fails on a checksum mismatch and leaves no file behind', async () => {
    behaviour.sha = createHash('sha256').update('something else').digest('hex')
    expect(await pull()).toBe(1)
    expect(log).toContain('checksum mismatch')
    expect(existsSync(dest())).toBe(false)
    expect(parts()).toEqual([])
  })

  it('refuses when the host publishes no checksum', async () => {
    behaviour.sha = undefined
    expect(await pull()).toBe(1)
    expect(log).toContain('publishes no SHA-256')
    expect(existsSync(dest())).toBe(false)
  })

  it('keeps the partial file when the connection drops and resumes it with a Range request', async () => {
    behaviour.dropAfter = 120_000
    expect(await pull()).toBe(1)
    expect(log).toContain('interrupted')
    expect(existsSync(dest())).toBe(false)
    expect(parts()).toHaveLength(1)
    const kept = readFileSync(join(modelsDir, 'kokoro', parts()[0]!)).length
    expect(kept).toBeGreaterThan(0)
    expect(await pull()).toBe(0)
    expect(ranges.at(-1)).toBe(`bytes=${kept}-`)
    expect(log).toContain('resumed at')
    expect(readFileSync(dest()).equals(FILE)).toBe(true)
    expect(parts()).toEqual([])
  })

  it('discards partial files of another published version', async () => {
    mkdirSync(join(modelsDir, 'kokoro'), { recursive: true })
    writeFileSync(join(modelsDir, 'kokoro', 'model.onnx.0123456789abcdef.part'), 'stale')
    expect(await pull()).toBe(0)
    expect(ranges).toEqual([undefined])
    expect(parts()).toEqual([])
  })

  it('is registered with the CLI and rejects unknown models', async () => {
    const saved = { ...process.env }
    Object.assign(process.env, { PROSODIA_MODELS_DIR: modelsDir, PROSODIA_MODELS_BASE_URL: base })
    const write = process.stderr.write
    process.stderr.write = (() => true) as typeof write
    try {
      expect(await runCli(['models', 'pull', 'kokoro'])).toBe(0)
      expect(readFileSync(dest()).equals(FILE)).toBe(true)
      expect(await runCli(['models', 'pull', 'whisper'])).toBe(2)
    } finally {
      process.stderr.write = write
      process.env = saved
    }
  })
})

describe('progress bar', () => {
  it('redraws in place on a terminal and ends the line at 100%', () => {
    let s = ''
    let t = 0
    const bar = progressBar({ write: (x: string) => (s += x), isTTY: true }, 'kokoro', () => t)
    bar({ received: 0, total: 1e6 })
    t = 50
    bar({ received: 4e5, total: 1e6 }) // throttled: under 100 ms since the last draw
    t = 1000
    bar({ received: 1e6, total: 1e6 })
    expect(s.split('\r').filter(Boolean)).toHaveLength(2)
    expect(s).toMatch(/\[#{30}\] 100% 1\.0\/1\.0 MB 1\.0 MB\/s\n$/)
  })
})
