import { execFile } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'

const root = path.resolve(import.meta.dirname, '../..')

/** Reads a 16-bit PCM WAV: its length in seconds and its RMS level (full scale = 1). */
function decodeWav(buf: Buffer): { seconds: number; rms: number } {
  expect(buf.toString('ascii', 0, 4)).toBe('RIFF')
  expect(buf.toString('ascii', 8, 12)).toBe('WAVE')
  let offset = 12
  let rate = 0
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4)
    const size = buf.readUInt32LE(offset + 4)
    if (id === 'fmt ') {
      expect(buf.readUInt16LE(offset + 8)).toBe(1) // PCM
      expect(buf.readUInt16LE(offset + 22)).toBe(16) // bits per sample
      rate = buf.readUInt32LE(offset + 12) * buf.readUInt16LE(offset + 10)
    }
    if (id === 'data') {
      const samples = Math.floor(Math.min(size, buf.length - offset - 8) / 2)
      let sum = 0
      for (let i = 0; i < samples; i++) sum += (buf.readInt16LE(offset + 8 + i * 2) / 32768) ** 2
      return { seconds: samples / rate, rms: Math.sqrt(sum / samples) }
    }
    offset += 8 + size + (size % 2)
  }
  throw new Error('no data chunk in the WAV')
}
let t: TestApp
let url: string

beforeAll(async () => {
  t = await createTestApp('sqlite')
  url = await listen(t.app)
})
afterAll(() => t.close())

/** The README's first TypeScript example, run as written against a live server: the README cannot rot. */
it('the README example runs against the server', async () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(code).toBeDefined()
  const script = (code as string)
    .replace('http://127.0.0.1:8000', url)
    .replace("apiKey: 'dev-key'", `apiKey: '${t.alice.api_key}'`)
  // Inside the repo so that `hume` resolves from its node_modules.
  const file = path.join(root, `.readme-example-${process.pid}.mts`)
  fs.writeFileSync(file, script)
  try {
    // Async: the server answering the script lives in this process's event loop. It runs in a scratch
    // directory, where it writes hello.wav.
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'))
    const tsx = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href
    const run = await promisify(execFile)(process.execPath, ['--import', tsx, file], { cwd, timeout: 60_000 })
    expect(run.stdout.trim()).toBe('Support line 0 You are kind and brief.')
    // Playable speech: a PCM WAV that lasts about as long as the sentence and is not silence.
    const wav = decodeWav(fs.readFileSync(path.join(cwd, 'hello.wav')))
    expect(wav.seconds).toBeGreaterThan(0.8)
    expect(wav.seconds).toBeLessThan(6)
    expect(wav.rms).toBeGreaterThan(0.01)
    fs.rmSync(cwd, { recursive: true, force: true })
  } finally {
    fs.rmSync(file, { force: true })
  }
})
