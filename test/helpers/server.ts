// The server as users start it: a child process running the entry point that `npm start` (or
// `npm run worker`) runs, without npm in between (npm does not relay a child's exit code on
// SIGTERM). Shared by the e2e suites.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'

export const ROOT = path.resolve(import.meta.dirname, '../..')

export async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/** The command of a package.json script, split into argv (e.g. `node --import tsx src/main.ts`). */
export function scriptCommand(name: 'start' | 'api' | 'worker'): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  const argv = pkg.scripts[name]!.split(' ')
  return argv[0] === 'node' ? [process.execPath, ...argv.slice(1)] : argv
}

export interface ServerProcess {
  child: ChildProcess
  /** http://127.0.0.1:PORT (for `start` and `api`). */
  url: string
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>
  /** Peak and current resident memory of the process, in bytes (Linux /proc). */
  memory(): { peak: number; current: number }
  /** Everything the process wrote to stdout so far (its JSON log lines), from the start. */
  output(): string
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

function memoryOf(pid: number): { peak: number; current: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { peak: kb('VmHWM'), current: kb('VmRSS') }
}

/**
 * Starts `npm start` or `npm run api` (waiting until /healthz answers) or `npm run worker`
 * (waiting for its "queue worker started" log line) with the given environment on top of this
 * process's.
 */
export async function startServer(
  env: Record<string, string>,
  script: 'start' | 'api' | 'worker' = 'start',
  { timeoutMs = 30_000 } = {},
): Promise<ServerProcess> {
  const port = env.PORT ?? String(await freePort())
  const [cmd, ...args] = scriptCommand(script)
  const child = spawn(cmd!, args, {
    cwd: ROOT,
    // One thread per pool unless a test asks for more: several servers share this 2-core machine.
    env: {
      ...process.env,
      VITEST: '',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      PROSODIA_TTS_THREADS: '1',
      PROSODIA_EXPRESSION_THREADS: '1',
      ...env,
      PORT: port,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let out = ''
  // The whole log, for tests that read what each process did (a long run's stays a few MB at most).
  const all: string[] = []
  child.stdout!.on('data', (c: Buffer) => {
    all.push(c.toString())
    out = (out + c.toString()).slice(-64 * 1024)
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited early with ${child.exitCode}: ${out}`)
    if (script === 'worker' && out.includes('queue worker started')) break
    if (script !== 'worker') {
      const up = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
      if (up) break
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${script} did not start within ${timeoutMs} ms: ${out}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    child,
    url,
    exited,
    memory: () => memoryOf(child.pid!),
    output: () => all.join(''),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal)
      return exited
    },
  }
}
