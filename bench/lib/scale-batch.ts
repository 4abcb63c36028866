// One batch run of the scale-out benchmark: N one-sentence text jobs POSTed to a real `npm run api`
// process, then drained by W `npm run worker` processes, timed by counting batch_jobs rows in
// PostgreSQL (cheaper than asking the API, and it does not load the API process being measured).
import pg from 'pg'
import { startServer, type ServerProcess } from '../../test/helpers/server.js'
import { cpuSeconds, freshStack, machineCpu, sentence, waitForQuiet, type LoadRecord } from './scale-env.js'

export const BENCH_KEY = 'bench-scale-key-0123456789'
/** Requests in flight while submitting: enough to keep the API busy, bounded so it is not a flood. */
export const SUBMIT_CONCURRENCY = 32
const POLL_MS = 250
/** A drain that completes no job for this long has stalled (a crashed worker, a lost job): fail. */
const STALL_MS = 120_000

export type QueueKind = 'sql' | 'bullmq'

export interface BatchRun {
  queue: QueueKind
  workers: number
  jobs: number
  before: LoadRecord
  /** Jobs accepted per second while submitting (all N, SUBMIT_CONCURRENCY in flight). */
  submitPerS: number
  submitS: number
  /** Seconds from spawning the workers until each logged "queue worker started". */
  startupS: number[]
  /** Seconds from the first worker being up until the last job was COMPLETED. */
  drainS: number
  jobsPerS: number
  /** Same, counting the workers' start-up (spawn to last job). */
  jobsPerSWithStartup: number
  /** CPU seconds used during the drain: by the worker processes, and by the whole machine. */
  workerCpuS: number
  machineBusyS: number
  machineCapacityS: number
}

export function apiEnv(stack: { databaseUrl: string; dataDir: string; redis?: { url: string } }) {
  return {
    DATABASE_URL: stack.databaseUrl,
    PROSODIA_DATA_DIR: stack.dataDir,
    PROSODIA_API_KEY: BENCH_KEY,
    ...(stack.redis ? { REDIS_URL: stack.redis.url, REDIS_PREFIX: 'bench' } : {}),
    // Request logging (two lines per request) would dominate a small request's cost; errors still show.
    LOG_LEVEL: 'warn',
    PROSODIA_EXPRESSION_THREADS: '1',
    PROSODIA_TTS_THREADS: '1',
  }
}

/** Job i's request body: one sentence of text by default; the I/O-bound runs give a URL instead. */
export type JobBody = (i: number) => Record<string, unknown>
const textJob: JobBody = (i) => ({ text: [sentence(i)] })

/** POSTs jobs 0..n-1 with `concurrency` requests in flight; returns the ids. Any non-200 fails the run. */
export async function submitJobs(
  url: string,
  n: number,
  concurrency = SUBMIT_CONCURRENCY,
  jobBody: JobBody = textJob,
): Promise<string[]> {
  const ids: string[] = new Array<string>(n)
  let next = 0
  const loop = async () => {
    while (next < n) {
      const i = next++
      const res = await fetch(`${url}/v0/batch/jobs`, {
        method: 'POST',
        headers: { 'x-hume-api-key': BENCH_KEY, 'content-type': 'application/json' },
        body: JSON.stringify(jobBody(i)),
      })
      const body = await res.text()
      if (res.status !== 200) throw new Error(`POST /v0/batch/jobs #${i}: ${res.status} ${body}`)
      ids[i] = (JSON.parse(body) as { job_id: string }).job_id
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  return ids
}

async function counts(db: pg.Client): Promise<{ done: number; failed: number; total: number }> {
  const { rows } = await db.query<{ done: string; failed: string; total: string }>(
    `select count(*) filter (where status = 'COMPLETED') as done,
            count(*) filter (where status = 'FAILED') as failed,
            count(*) as total
       from batch_jobs`,
  )
  const r = rows[0]!
  return { done: Number(r.done), failed: Number(r.failed), total: Number(r.total) }
}

/** Waits until every one of `n` jobs has ended; throws on a FAILED job or a stall. Returns the end time (ms). */
async function drain(db: pg.Client, n: number): Promise<number> {
  let last = -1
  let progressAt = performance.now()
  for (;;) {
    const c = await counts(db)
    const now = performance.now()
    if (c.failed > 0) throw new Error(`${c.failed} batch job(s) FAILED; the figures would not be of completed jobs`)
    if (c.done >= n) return now
    if (c.done !== last) {
      last = c.done
      progressAt = now
    } else if (now - progressAt > STALL_MS) {
      throw new Error(`no job completed for ${STALL_MS / 1000} s (${c.done} of ${n} done): stalled`)
    }
    await new Promise((r) => setTimeout(r, POLL_MS))
  }
}

/** Starts `w` workers at once; each one's start-up time is until its "queue worker started" line. */
async function startWorkers(env: Record<string, string>, w: number) {
  const t0 = performance.now()
  const ready: number[] = []
  const settled = await Promise.allSettled(
    Array.from({ length: w }, async () => {
      // Info level: the ready line the helper waits for is an info line (one more line per job follows).
      const p = await startServer({ ...env, LOG_LEVEL: 'info' }, 'worker', { timeoutMs: 120_000 })
      ready.push(performance.now())
      return p
    }),
  )
  const procs = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed) {
    // Leave no worker behind when one of them could not start.
    await Promise.all(procs.map((p) => p.stop('SIGTERM')))
    throw failed.reason
  }
  return { t0, ready, procs }
}

export async function batchRun(
  queue: QueueKind,
  workers: number,
  jobs: number,
  o: { jobBody?: JobBody; env?: Record<string, string> } = {},
): Promise<BatchRun> {
  const label = `batch ${queue} × ${workers} worker(s)`
  const before = await waitForQuiet(label)
  console.log(`${label}: ${jobs} jobs, load ${before.load.map((x) => x.toFixed(2)).join(' ')}`)
  const stack = await freshStack(queue)
  const env = { ...apiEnv(stack), ...o.env }
  const db = new pg.Client({ connectionString: stack.databaseUrl })
  let api: ServerProcess | undefined
  let started: Awaited<ReturnType<typeof startWorkers>> | undefined
  try {
    api = await startServer(env, 'api', { timeoutMs: 120_000 })
    await db.connect()
    // The API's first requests pay for JIT and connection set-up: a few unmeasured jobs would then
    // be in the count, so warm with GETs instead.
    for (let i = 0; i < 20; i++)
      await fetch(`${api.url}/v0/batch/jobs?limit=1`, { headers: { 'x-hume-api-key': BENCH_KEY } })

    const s0 = performance.now()
    await submitJobs(api.url, jobs, SUBMIT_CONCURRENCY, o.jobBody)
    const submitS = (performance.now() - s0) / 1000
    const queued = await counts(db)
    if (queued.total !== jobs) throw new Error(`expected ${jobs} jobs in batch_jobs, found ${queued.total}`)
    console.log(`${label}: submitted in ${submitS.toFixed(1)} s (${(jobs / submitS).toFixed(0)} jobs/s)`)

    started = await startWorkers(env, workers)
    const firstReady = Math.min(...started.ready)
    const cpu0 = started.procs.map((p) => cpuSeconds(p.child.pid!))
    const m0 = machineCpu()
    const end = await drain(db, jobs)
    const cpu1 = started.procs.map((p) => cpuSeconds(p.child.pid!))
    const m1 = machineCpu()
    const drainS = (end - firstReady) / 1000
    const run: BatchRun = {
      queue,
      workers,
      jobs,
      before,
      submitPerS: jobs / submitS,
      submitS,
      startupS: started.ready.map((t) => (t - started!.t0) / 1000),
      drainS,
      jobsPerS: jobs / drainS,
      jobsPerSWithStartup: jobs / ((end - started.t0) / 1000),
      workerCpuS: cpu1.reduce((a, b, i) => a + b - cpu0[i]!, 0),
      machineBusyS: m1.busy - m0.busy,
      machineCapacityS: m1.total - m0.total,
    }
    console.log(`${label}: drained in ${drainS.toFixed(1)} s (${run.jobsPerS.toFixed(1)} jobs/s)`)
    return run
  } finally {
    await Promise.all((started?.procs ?? []).map((p) => p.stop('SIGTERM')))
    await api?.stop('SIGTERM')
    await db.end().catch(() => {})
    await stack.close()
  }
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
export const pct = (x: number) => `${Math.round(x * 100)}%`
export const QUEUE_LABEL: Record<QueueKind, string> = { sql: 'SQL queue (PostgreSQL)', bullmq: 'BullMQ (Redis)' }

/** Jobs/s with 2 workers over jobs/s with 1, on one queue, from one benchmark run's rows. */
export function workerRatio(runs: BatchRun[], queue: QueueKind): number {
  const one = runs.find((r) => r.queue === queue && r.workers === 1)!
  const two = runs.find((r) => r.queue === queue && r.workers === 2)!
  return two.jobsPerS / one.jobsPerS
}
