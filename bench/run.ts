/**
 * `npm run bench`: runs every bench/*.bench.ts in turn, each as its own process (`npx tsx ...`) so
 * one benchmark's servers, caches and JIT state cannot colour the next one's figures. Each file
 * writes its own section of BENCHMARKS.md. `npm run bench -- evi tts` runs only the named ones.
 * A benchmark still running after BENCH_TIMEOUT_S seconds (default 600, or its entry in LONG_RUNNING) is
 * stopped and counts as failed.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from './lib/report.js'

const BENCH_DIR = path.join(REPO_ROOT, 'bench')
const SUFFIX = '.bench.ts'
const DEFAULT_TIMEOUT_S = 600
/**
 * Benchmarks that cannot finish in 600 s by design, with their own default (BENCH_TIMEOUT_S, when set,
 * still applies to every file). scale: 4 runs of 10,000 batch jobs through spawned API and worker
 * processes, each run first waiting up to 10 min for the shared machine's load to drop; scale-io: 4 runs
 * of 1,000 URL jobs with the same waits.
 */
const LONG_RUNNING: Record<string, number> = { 'scale.bench.ts': 3 * 3600, 'scale-io.bench.ts': 3600 }

function timeoutMs(file: string): number {
  const env = process.env.BENCH_TIMEOUT_S
  return Number(env !== undefined && env !== '' ? env : (LONG_RUNNING[file] ?? DEFAULT_TIMEOUT_S)) * 1000
}

function discover(only: string[]): string[] {
  const all = fs
    .readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(SUFFIX))
    .sort()
  if (only.length === 0) return all
  const wanted = only.map((o) =>
    o.endsWith(SUFFIX) ? o : `${path.basename(o, '.ts').replace(/\.bench$/, '')}${SUFFIX}`,
  )
  const missing = wanted.filter((w) => !all.includes(w))
  if (missing.length) throw new Error(`no such benchmark: ${missing.join(', ')} (have: ${all.join(', ')})`)
  return wanted
}

let running: number | undefined

/** Signals a benchmark's whole process group: npx, tsx and node are three processes deep. */
function stop(group: number | undefined, signal: NodeJS.Signals): void {
  if (group === undefined) return
  try {
    process.kill(-group, signal)
  } catch {
    // already gone
  }
}

function runOne(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', path.join('bench', file)], { cwd: REPO_ROOT, stdio: 'inherit', detached: true })
    const group = child.pid
    running = group
    const limit = timeoutMs(file)
    const timer = setTimeout(() => {
      console.error(`=== ${file}: still running after ${limit / 1000} s, stopping it ===`)
      stop(group, 'SIGTERM')
      setTimeout(() => stop(group, 'SIGKILL'), 5_000).unref()
    }, limit)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      running = undefined
      resolve(code ?? (signal ? 128 : 1))
    })
  })
}

// The children run in their own process group, so pass an interrupt on before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stop(running, signal)
    process.exit(130)
  })
}

const files = discover(process.argv.slice(2))
if (files.length === 0) {
  console.error(`no bench/*${SUFFIX} files found`)
  process.exit(1)
}
const failed: string[] = []
for (const file of files) {
  console.log(`\n=== ${file} ===`)
  const started = Date.now()
  const code = await runOne(file)
  const secs = ((Date.now() - started) / 1000).toFixed(1)
  if (code === 0) console.log(`=== ${file}: ok in ${secs} s ===`)
  else {
    console.error(`=== ${file}: FAILED (exit ${code}) after ${secs} s ===`)
    failed.push(file)
  }
}
if (failed.length) {
  console.error(`\n${failed.length} of ${files.length} benchmark(s) failed: ${failed.join(', ')}`)
  process.exit(1)
}
console.log(`\nall ${files.length} benchmark(s) passed; figures are in BENCHMARKS.md`)
