import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

const root = path.resolve(import.meta.dirname, '../..')
/**
 * Builds dist/client as `npm install` (prepare) does, once at a time: test files that run built scripts in
 * parallel must not read a half-written build, and must not test a stale one.
 */
export function buildClient(): Promise<void> {
  return buildOnce('client', [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.client.json'])
}

/** Builds dist/console (the web console) as prepare does, likewise one build at a time. */
export function buildConsole(): Promise<void> {
  return buildOnce('console', [path.join(root, 'console/build.mjs')])
}

async function buildOnce(name: string, args: string[]): Promise<void> {
  const lock = path.join(root, `dist/.${name}-build.lock`)
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
    await promisify(execFile)(process.execPath, args, { cwd: root })
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
}
