/**
 * This process's scratch directory: `<dataDir>/tmp/p<pid>-<random>`. Scratch files (S3 copies for
 * random access, recordings in progress, media being probed) outlive a process that is killed, and
 * several processes may share one data dir (an API and a worker on one machine), so each gets a
 * directory of its own; at start, the directories of processes no longer running on this machine
 * are removed, and at a clean stop, its own.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rm } from 'node:fs/promises'
import path from 'node:path'

const OWNED = /^p(\d+)-[0-9a-f]{8}$/

function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: alive, but another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface ScratchDir {
  readonly dir: string
  /** Removes the directory and what is left in it. */
  remove(): Promise<void>
}

export async function processScratchDir(dataDir: string): Promise<ScratchDir> {
  const root = path.join(dataDir, 'tmp')
  await mkdir(root, { recursive: true })
  for (const name of await readdir(root)) {
    const pid = OWNED.exec(name)?.[1]
    if (pid !== undefined && Number(pid) !== process.pid && !running(Number(pid)))
      await rm(path.join(root, name), { recursive: true, force: true })
  }
  const dir = path.join(root, `p${process.pid}-${randomBytes(4).toString('hex')}`)
  await mkdir(dir, { recursive: true })
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}
