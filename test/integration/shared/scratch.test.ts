import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { processScratchDir } from '../../../src/shared/storage/scratch.js'

describe('processScratchDir', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'prosodia-scratch-'))
  afterEach(() => rmSync(path.join(dataDir, 'tmp'), { recursive: true, force: true }))

  it("gives each process its own dir and removes those of processes that died, never a live one's", async () => {
    // A pid that surely ended: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    const tmp = path.join(dataDir, 'tmp')
    const left = path.join(tmp, `p${dead}-0badc0de`)
    mkdirSync(left, { recursive: true })
    writeFileSync(path.join(left, 's3-copy.wav'), 'left by a SIGKILLed worker')
    // Another runtime of a live process (this one; or an API beside a worker on one data dir).
    const live = path.join(tmp, `p${process.ppid}-00c0ffee`)
    mkdirSync(live)
    const unrelated = path.join(tmp, 'not-ours')
    mkdirSync(unrelated)

    const a = await processScratchDir(dataDir)
    const b = await processScratchDir(dataDir)
    expect(a.dir).not.toBe(b.dir)
    expect(path.dirname(a.dir)).toBe(tmp)
    expect(existsSync(left)).toBe(false)
    expect(existsSync(live)).toBe(true)
    expect(existsSync(unrelated)).toBe(true)

    writeFileSync(path.join(a.dir, 'x'), 'scratch')
    await a.remove()
    expect(existsSync(a.dir)).toBe(false)
    expect(existsSync(b.dir)).toBe(true)
  })
})
