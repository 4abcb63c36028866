/**
 * A scaled-out deployment on one machine, for the multi-process e2e tests: one PostgreSQL database,
 * one redis-server and one S3 server (s3rver, in this process) shared by API and worker processes
 * started from the real entry points, each with a data directory of its own as separate machines
 * would have. What a process logs stays readable after it died (its ServerProcess keeps it).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { S3RVER_CREDENTIALS, startS3Server, type S3TestServer } from '../integration/shared/s3-server.js'
import { freshDatabaseUrl } from './dialects.js'
import { startRedis, type TestRedis } from './redis.js'
import { freePort, startServer, type ServerProcess } from './server.js'

export interface ClusterNode {
  role: 'api' | 'worker'
  /** 1-based, as the test names them (API #1, worker #2). */
  index: number
  dataDir: string
  /** The running process, replaced on restart; the old one's log stays in `history`. */
  proc: ServerProcess
  /** Every process this node ran, oldest first (a restart adds one). */
  history: ServerProcess[]
}

export interface Cluster {
  apiKey: string
  databaseUrl: string
  s3: S3TestServer
  /** S3_PREFIX of the deployment: every object key starts with it. */
  s3Prefix: string
  apis: ClusterNode[]
  workers: ClusterNode[]
  /** Starts the node's process again on the same environment (same port for an API). */
  restart(node: ClusterNode): Promise<void>
  /** Stops every process (SIGKILL: the test is over), the servers, drops the database, removes the dirs. */
  close(): Promise<void>
}

export interface ClusterOptions {
  apis?: number
  workers?: number
  apiKey?: string
  /** PROSODIA_QUEUE_LEASE_MS: how soon a killed worker's job runs again. */
  leaseMs?: number
  /** Extra environment for every process. */
  env?: Record<string, string>
}

/** A pino line as the processes write them (one JSON object per line). */
export interface LogLine {
  level: number
  msg: string
  [k: string]: unknown
}

/** The JSON log lines of a process (other output, if any, is skipped). */
export function logLines(proc: ServerProcess): LogLine[] {
  const lines: LogLine[] = []
  for (const raw of proc.output().split('\n')) {
    if (!raw.startsWith('{')) continue
    try {
      lines.push(JSON.parse(raw) as LogLine)
    } catch {
      // A line cut by the process's death mid-write.
    }
  }
  return lines
}

/** Files (not directories) under dir, relative to it. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}

export async function startCluster(o: ClusterOptions = {}): Promise<Cluster> {
  const apiKey = o.apiKey ?? 'cluster-key-0123456789abcdef'
  const dirs: string[] = []
  const cleanups: (() => Promise<void>)[] = []
  const nodes: ClusterNode[] = []
  const close = async () => {
    for (const n of nodes) for (const p of n.history) await p.stop('SIGKILL')
    for (const c of cleanups.reverse()) await c().catch(() => {})
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
  try {
    // Fails with what to do when PostgreSQL is unreachable; never skips.
    const { url: databaseUrl, drop } = await freshDatabaseUrl('postgres')
    cleanups.push(drop)
    const redis: TestRedis = await startRedis()
    cleanups.push(redis.stop)
    const s3 = await startS3Server()
    cleanups.push(s3.close)
    const s3Prefix = 'cluster'
    const cfg = s3.config(s3Prefix)
    const shared: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      S3_BUCKET: cfg.bucket,
      S3_ENDPOINT: cfg.endpoint!,
      S3_REGION: cfg.region,
      S3_PREFIX: s3Prefix,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      PROSODIA_API_KEY: apiKey,
      PROSODIA_QUEUE_LEASE_MS: String(o.leaseMs ?? 4000),
      // PROSODIA_SIGNING_KEY stays unset on purpose: a generated key must live in the shared database.
      PROSODIA_SIGNING_KEY: '',
      LOG_LEVEL: 'info',
      ...o.env,
    }
    const envs = new Map<ClusterNode, Record<string, string>>()
    const make = async (role: 'api' | 'worker', index: number): Promise<ClusterNode> => {
      const dataDir = mkdtempSync(path.join(tmpdir(), `prosodia-cluster-${role}${index}-`))
      dirs.push(dataDir)
      const env = { ...shared, PROSODIA_DATA_DIR: dataDir, ...(role === 'api' && { PORT: String(await freePort()) }) }
      const proc = await startServer(env, role, { timeoutMs: 60_000 })
      const node: ClusterNode = { role, index, dataDir, proc, history: [proc] }
      envs.set(node, env)
      nodes.push(node)
      return node
    }
    // Every process at once on the fresh database, as an orchestrator starts them: they migrate, create
    // the bootstrap account and agree on the signing key concurrently.
    // Settled, not Promise.all: a failed start must not leave the others running unseen by close().
    const settled = await Promise.allSettled([
      ...Array.from({ length: o.apis ?? 2 }, (_, i) => make('api', i + 1)),
      ...Array.from({ length: o.workers ?? 2 }, (_, i) => make('worker', i + 1)),
    ])
    const failed = settled.find((r) => r.status === 'rejected')
    if (failed) throw failed.reason
    const started = settled.map((r) => (r as PromiseFulfilledResult<ClusterNode>).value)
    const apis = started.filter((n) => n.role === 'api')
    const workers = started.filter((n) => n.role === 'worker')
    return {
      apiKey,
      databaseUrl,
      s3,
      s3Prefix,
      apis,
      workers,
      async restart(node) {
        await node.proc.stop('SIGKILL')
        node.proc = await startServer(envs.get(node)!, node.role, { timeoutMs: 60_000 })
        node.history.push(node.proc)
      },
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

/** A batch job as GET /v0/batch/jobs/{id} answers it (loosely typed: the tests look at a few fields). */
export interface JobView {
  job_id: string
  state: { status: 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'; num_predictions?: number; num_errors?: number }
}

/** Requests to one API node with the cluster's key (the node's current process, so restarts are followed). */
export function client(cluster: Cluster, node: ClusterNode) {
  const request = (p: string, init: RequestInit = {}) =>
    fetch(`${node.proc.url}${p}`, { ...init, headers: { 'x-hume-api-key': cluster.apiKey, ...init.headers } })
  const json = async <T>(p: string, init: RequestInit = {}): Promise<T> => {
    const res = await request(p, init)
    const body = await res.text()
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${p} on ${node.role} #${node.index}: ${res.status} ${body}`)
    return JSON.parse(body) as T
  }
  return {
    request,
    json,
    post: <T>(p: string, body: unknown) =>
      json<T>(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    /** Submits a batch job: JSON, or multipart (`json` part plus one `file` part per path) when files are given. */
    async submit(request: Record<string, unknown>, files: { name: string; data: Buffer }[] = []): Promise<string> {
      let init: RequestInit
      if (files.length === 0)
        init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) }
      else {
        const form = new FormData()
        form.append('json', JSON.stringify(request))
        for (const f of files) form.append('file', new Blob([new Uint8Array(f.data)], { type: 'audio/wav' }), f.name)
        init = { method: 'POST', body: form }
      }
      return (await json<{ job_id: string }>('/v0/batch/jobs', init)).job_id
    },
    job: (id: string) => json<JobView>(`/v0/batch/jobs/${id}`),
    /** The predictions document exactly as served (the tests compare nodes byte for byte). */
    async predictions(id: string): Promise<string> {
      const res = await request(`/v0/batch/jobs/${id}/predictions`)
      const body = await res.text()
      if (res.status !== 200)
        throw new Error(`predictions of ${id} on ${node.role} #${node.index}: ${res.status} ${body}`)
      return body
    },
  }
}

/** Polls until every job is COMPLETED or FAILED; a job still running at the deadline fails the test. */
export async function waitForJobs(
  api: ReturnType<typeof client>,
  ids: string[],
  { timeoutMs = 60_000 } = {},
): Promise<Map<string, JobView>> {
  const done = new Map<string, JobView>()
  const deadline = Date.now() + timeoutMs
  for (;;) {
    for (const id of ids.filter((i) => !done.has(i))) {
      const job = await api.job(id)
      if (job.state.status === 'COMPLETED' || job.state.status === 'FAILED') done.set(id, job)
    }
    if (done.size === ids.length) return done
    if (Date.now() > deadline) {
      const left = ids.filter((i) => !done.has(i))
      throw new Error(`jobs not finished after ${timeoutMs} ms: ${left.join(', ')}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Jobs whose completion this process logged ("batch job completed" lines), by job id, with how often. */
export function completionsLogged(proc: ServerProcess): Map<string, number> {
  const seen = new Map<string, number>()
  for (const line of logLines(proc))
    if (line.msg === 'batch job completed' && typeof line.jobId === 'string')
      seen.set(line.jobId, (seen.get(line.jobId) ?? 0) + 1)
  return seen
}
