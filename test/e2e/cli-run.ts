import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT } from '../helpers/server.js'

export interface CliRun {
  code: number
  stdout: Buffer
  /** stdout as text. */
  out: string
  /** stderr without npm's own warnings about the machine's npmrc. */
  err: string
}

/**
 * Runs the real binary as a user does (`npx prosodia …` in the checkout). `--no` keeps npx from ever asking
 * the registry, and `--` keeps npm from taking `--help` for itself.
 */
export function prosodia(args: string[], env: Record<string, string>, cwd = ROOT): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['--no', '--', 'prosodia', ...args],
      {
        cwd,
        env: { ...process.env, PROSODIA_BASE_URL: '', PROSODIA_API_KEY: '', HUME_API_KEY: '', ...env },
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 90_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        const err = stderr
          .toString('utf8')
          .split('\n')
          .filter((l) => !l.startsWith('npm warn'))
          .join('\n')
        resolve({ code, stdout, out: stdout.toString('utf8'), err })
      },
    )
  })
}

/** A scratch directory for the files a test hands the CLI and the files it writes. */
export function scratch(): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'prosodia-cli-'))
  return { dir, file: (name) => path.join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) }
}
