// The API part of the scale-out benchmark: GET /v0/batch/jobs/{id} (a completed job: one indexed
// PostgreSQL read and the response's serialisation) against one `npm run api` process, then against
// two on the same database, one autocannon client per process at once (their req/s summed).
import autocannon, { type Result } from 'autocannon'
import pg from 'pg'
import { startServer, type ServerProcess } from '../../test/helpers/server.js'
import { apiEnv, BENCH_KEY, submitJobs } from './scale-batch.js'
import { cpuSeconds, freshStack, machineCpu, waitForQuiet, type LoadRecord } from './scale-env.js'

/** Connections in all: one client of 32 against one process, two of 16 against two. */
export const API_CONNECTIONS = 32

export interface ClientFigures {
  reqPerS: number
  p50: number
  p99: number
}

export interface ApiMeasurement {
  processes: 1 | 2
  /** Summed over the clients. */
  reqPerS: number
  clients: ClientFigures[]
  /** CPU use of each API process during the measurement, in cores (1.0 = one core busy). */
  apiCores: number[]
  /** Busy share of the whole machine (all cores) during the measurement, 0..1. */
  machineBusy: number
}

export interface ApiRun {
  before: LoadRecord
  path: string
  durationS: number
  rounds: number
  one: ApiMeasurement
  two: ApiMeasurement
  /** Every round's summed req/s, for the spread. */
  oneAll: number[]
  twoAll: number[]
}

async function client(url: string, connections: number, durationS: number, warmS: number): Promise<Result> {
  const r = await autocannon({
    url,
    headers: { 'x-hume-api-key': BENCH_KEY },
    connections,
    duration: durationS,
    warmup: { connections, duration: warmS },
    // The client in a worker thread of its own, off this process's event loop.
    workers: 1,
    timeout: 10,
  })
  const bad = r.errors + r.timeouts + r.non2xx
  if (bad > 0 || r['2xx'] === 0) throw new Error(`${url}: ${bad} failed requests ${JSON.stringify(r.statusCodeStats)}`)
  return r
}

async function measure(apis: ServerProcess[], path: string, durationS: number, warmS: number): Promise<ApiMeasurement> {
  const per = API_CONNECTIONS / apis.length
  const m0 = machineCpu()
  const c0 = apis.map((a) => cpuSeconds(a.child.pid!))
  const results = await Promise.all(apis.map((a) => client(`${a.url}${path}`, per, durationS, warmS)))
  const c1 = apis.map((a) => cpuSeconds(a.child.pid!))
  const m1 = machineCpu()
  // The CPU figures span warm-up and measurement alike: both run the same load.
  const span = durationS + warmS
  return {
    processes: apis.length as 1 | 2,
    reqPerS: results.reduce((s, r) => s + r['2xx'] / r.duration, 0),
    clients: results.map((r) => ({ reqPerS: r['2xx'] / r.duration, p50: r.latency.p50, p99: r.latency.p99 })),
    apiCores: c1.map((c, i) => (c - c0[i]!) / span),
    machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total),
  }
}

/** A completed job to read: submitted through the API, run by one worker process, which then stops. */
async function completedJob(apiUrl: string, env: Record<string, string>, databaseUrl: string): Promise<string> {
  const [id] = await submitJobs(apiUrl, 1, 1)
  const worker = await startServer({ ...env, LOG_LEVEL: 'info' }, 'worker', { timeoutMs: 120_000 })
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const deadline = Date.now() + 120_000
    for (;;) {
      const { rows } = await db.query<{ status: string }>('select status from batch_jobs where id = $1', [id])
      if (rows[0]?.status === 'COMPLETED') return id!
      if (rows[0]?.status === 'FAILED' || Date.now() > deadline) throw new Error(`seed job ${id} did not complete`)
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    await db.end()
    await worker.stop('SIGTERM')
  }
}

const medianBy = <T>(xs: T[], key: (x: T) => number): T =>
  [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)]!

export async function apiRun(durationS: number, warmS: number, rounds: number): Promise<ApiRun> {
  const before = await waitForQuiet('API throughput')
  const stack = await freshStack('sql')
  const env = apiEnv(stack)
  const apis: ServerProcess[] = []
  try {
    apis.push(await startServer(env, 'api', { timeoutMs: 120_000 }))
    apis.push(await startServer(env, 'api', { timeoutMs: 120_000 }))
    const id = await completedJob(apis[0]!.url, env, stack.databaseUrl)
    const path = `/v0/batch/jobs/${id}`
    // JIT and connection pools of both processes warmed before anything is recorded.
    await measure(apis, path, 3, 1)
    const ones: ApiMeasurement[] = []
    const twos: ApiMeasurement[] = []
    // Alternating 1, 2, 1, 2...: drift in the machine's other load falls on both sides alike.
    for (let r = 0; r < rounds; r++) {
      ones.push(await measure(apis.slice(0, 1), path, durationS, warmS))
      twos.push(await measure(apis, path, durationS, warmS))
      console.log(
        `API round ${r + 1}: 1 process ${ones.at(-1)!.reqPerS.toFixed(0)} req/s, 2 processes ${twos.at(-1)!.reqPerS.toFixed(0)} req/s`,
      )
    }
    return {
      before,
      path: '/v0/batch/jobs/{id}',
      durationS,
      rounds,
      one: medianBy(ones, (m) => m.reqPerS),
      two: medianBy(twos, (m) => m.reqPerS),
      oneAll: ones.map((m) => m.reqPerS),
      twoAll: twos.map((m) => m.reqPerS),
    }
  } finally {
    await Promise.all(apis.map((a) => a.stop('SIGTERM')))
    await stack.close()
  }
}
