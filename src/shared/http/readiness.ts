/**
 * GET /readyz: whether this process can serve the API now, for load balancers and orchestrators
 * (/healthz stays liveness: the process answers). Each check has a deadline; all run at once.
 *
 * The route is public, so a flood of probes must not become a flood of database queries and blob
 * writes: an answer is reused for `cacheMs`, concurrent probes share one run, and a check still
 * pending from an earlier run (a hung database) is awaited again instead of started a second time.
 * The 503 body names the failed checks with a short reason (`timeout` or an error code such as
 * ENOTDIR); the full error goes to the log, never to an unauthenticated client.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { sql, type Kysely } from 'kysely'
import { Type } from 'typebox'
import type { BlobStore } from '../storage/blobs.js'
import type { Database } from '../storage/database.js'

export type ReadinessCheck = () => Promise<void>

export interface ReadinessOptions {
  /** Deadline of each check (default 2000 ms). */
  timeoutMs?: number
  /** How long an answer is reused (default 1000 ms). */
  cacheMs?: number
}

const CheckResult = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('failed')]),
  ms: Type.Integer(),
  reason: Type.Optional(Type.String()),
})
const ReadyBody = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
  checks: Type.Record(Type.String(), CheckResult),
})
type CheckResult = { status: 'ok' | 'failed'; ms: number; reason?: string }
type ReadyBody = { status: 'ready' | 'unready'; checks: Record<string, CheckResult> }

/** The checks of a runtime on the SQL queue: database, queue table, blob store. */
export function standardChecks(db: Kysely<Database>, blobs: BlobStore): Record<string, ReadinessCheck> {
  return {
    database: async () => {
      await sql`select 1`.execute(db)
    },
    queue: async () => {
      await db.selectFrom('queue_jobs').select('id').limit(1).execute()
    },
    blobs: () => blobProbe(blobs),
  }
}

/** Writes, reads back and deletes a small key: a store that can list but not write is not ready. */
export async function blobProbe(blobs: BlobStore): Promise<void> {
  const key = `health/readyz-${randomUUID()}`
  const body = `readyz ${key}`
  try {
    await blobs.put(key, body, { maxBytes: 1024 })
    const stream = await blobs.get(key)
    if (!stream) throw Object.assign(new Error('the probe blob was not found after writing it'), { code: 'EMISSING' })
    const chunks: Buffer[] = []
    for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array))
    if (Buffer.concat(chunks).toString('utf8') !== body)
      throw Object.assign(new Error('the probe blob read back differently'), { code: 'EMISMATCH' })
  } finally {
    await blobs.delete(key).catch(() => {})
  }
}

class Timeout extends Error {}

/** A reason safe to show anyone: no paths, hosts or messages. */
function reasonOf(err: unknown): string {
  if (err instanceof Timeout) return 'timeout'
  const code = (err as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code) ? code : 'error'
}

export function createReadiness(
  checks: Record<string, ReadinessCheck>,
  log: FastifyBaseLogger | Pick<FastifyBaseLogger, 'warn'>,
  opts: ReadinessOptions = {},
): () => Promise<ReadyBody> {
  const timeoutMs = opts.timeoutMs ?? 2000
  const cacheMs = opts.cacheMs ?? 1000
  const pending = new Map<string, Promise<void>>()
  let last: { at: number; body: Promise<ReadyBody> } | undefined

  const runOne = async (name: string, check: ReadinessCheck): Promise<CheckResult> => {
    const t0 = performance.now()
    let p = pending.get(name)
    if (!p) {
      p = check().finally(() => pending.delete(name))
      pending.set(name, p)
    }
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Timeout()), timeoutMs)
        }),
      ])
      return { status: 'ok', ms: Math.round(performance.now() - t0) }
    } catch (err) {
      log.warn({ err, check: name }, 'readiness check failed')
      return { status: 'failed', ms: Math.round(performance.now() - t0), reason: reasonOf(err) }
    } finally {
      clearTimeout(timer)
    }
  }

  const runAll = async (): Promise<ReadyBody> => {
    const entries = await Promise.all(Object.entries(checks).map(async ([n, c]) => [n, await runOne(n, c)] as const))
    const ready = entries.every(([, r]) => r.status === 'ok')
    return { status: ready ? 'ready' : 'unready', checks: Object.fromEntries(entries) }
  }

  return () => {
    const now = Date.now()
    if (!last || now - last.at >= cacheMs) last = { at: now, body: runAll() }
    return last.body
  }
}

/** GET /readyz: 200 `{ status: 'ready', checks }`, or 503 `{ status: 'unready', checks }` with retry-after. */
export function registerReadinessRoute(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
  opts: ReadinessOptions = {},
): void {
  const ready = createReadiness(checks, app.log, opts)
  app.get(
    '/readyz',
    { config: { public: true }, schema: { hide: true, response: { 200: ReadyBody, 503: ReadyBody } } },
    async (_request, reply) => {
      const body = await ready()
      reply.header('cache-control', 'no-store')
      if (body.status === 'ready') return body
      return reply.code(503).header('retry-after', '5').send(body)
    },
  )
}
