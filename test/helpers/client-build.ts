import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

const root = path.resolve(import.meta.dirname, '../..')
const lock = path.join(root, 'dist/.client-build.lock')

/**
 * Builds dist/client as `npm install` (prepare) does, once at a time: test files that run built scripts in
 * parallel must not read a half-written build, and must not test a stale one.
 */
export async function buildClient(): Promise<void> {
  fs.mkdirSync(path.dirname(lock), { recursive: true })
  for (;;) {
    try {
      fs.mkdirSync(lock)
      break
    } catch {
      // Another file is building; a lock older than two minutes belongs to a killed run.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > 120_000) fs.rmSync(lock, { recursive: true, force: true })
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  try {
    await promisify(execFile)(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.client.json'],
      {
        cwd: root,
      },
    )
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
}
