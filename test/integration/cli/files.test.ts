import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { writeStreamToFile } from '../../../src/cli/files.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-files-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const body = (text: string) => new Response(text).body as ReadableStream<Uint8Array>

it('writes a new file, and replaces an existing one only when complete, leaving no temporary file', async () => {
  const file = path.join(dir, 'a.wav')
  expect(await writeStreamToFile(body('first'), file)).toBe(5)
  fs.writeFileSync(path.join(dir, 'a.wav.part'), 'mine')
  await writeStreamToFile(body('second'), file)
  expect(fs.readFileSync(file, 'utf8')).toBe('second')
  // A file of the user's that happens to end in .part is left alone.
  expect(fs.readFileSync(path.join(dir, 'a.wav.part'), 'utf8')).toBe('mine')
  expect(fs.readdirSync(dir).sort()).toEqual(['a.wav', 'a.wav.part'])
})

it("writes a symlink's target instead of replacing the link", async () => {
  const target = path.join(dir, 'target.wav')
  const link = path.join(dir, 'link.wav')
  fs.writeFileSync(target, 'old')
  fs.symlinkSync(target, link)
  await writeStreamToFile(body('new'), link)
  expect(fs.lstatSync(link).isSymbolicLink()).toBe(true)
  expect(fs.readFileSync(target, 'utf8')).toBe('new')
})

it('writes a device in place (never replaces /dev/null)', async () => {
  expect(await writeStreamToFile(body('discarded'), '/dev/null')).toBe(9)
  expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true)
})

it("names the user's path when it cannot write", async () => {
  await expect(writeStreamToFile(body('x'), path.join(dir, 'nodir/x.wav'))).rejects.toThrow(
    `cannot write ${path.join(dir, 'nodir/x.wav')}: its directory does not exist`,
  )
  await expect(writeStreamToFile(body('x'), dir)).rejects.toThrow(`${dir} is a directory, not a file`)
})
