/**
 * Which queue and blob store the test apps use. By default the SQL queue and the local blob dir;
 * with PROSODIA_TEST_ENGINES=redis,s3 (the integration project's second CI pass) the one Redis and
 * S3 server started by engines-setup.ts, each app under prefixes of its own so test files sharing
 * them never claim each other's jobs nor see each other's blobs.
 *
 * Tests that look at queued jobs or stored blobs go through queueJobs() and blobKeys(), which ask the
 * engine in use, so one test proves the same thing on every engine.
 */
import { randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { ListObjectsV2Command, type S3ClientConfig } from '@aws-sdk/client-s3'
import { Queue as BullQueueClient, type JobType } from 'bullmq'
import { Redis } from 'ioredis'
import { inject } from 'vitest'
import type { Config } from '../../src/config.js'
import type { Runtime } from '../../src/runtime.js'
import { s3Client } from '../../src/shared/storage/s3-blobs.js'
import type { ProvidedEngines } from './engines-setup.js'

/**
 * Pins an app to the default engines (the SQL queue, blobs on local disk) in any run: for tests about
 * those engines themselves. Pass as (part of) createTestApp's `config`.
 */
export const defaultEngines = { redisUrl: undefined, s3: undefined } satisfies Partial<Config>

/** The engines of this run: undefined outside the integration project or without PROSODIA_TEST_ENGINES. */
function provided(): ProvidedEngines | undefined {
  return inject('engines')
}

/** Config fields selecting the run's engines for one app: fresh prefixes every call. */
export function engineConfig(): Partial<Pick<Config, 'redisUrl' | 'redisPrefix' | 's3'>> {
  const engines = provided()
  if (!engines) return {}
  const unique = `t${randomBytes(6).toString('hex')}`
  const out: { -readonly [K in 'redisUrl' | 'redisPrefix' | 's3']?: Config[K] } = {}
  if (engines.redisUrl) Object.assign(out, { redisUrl: engines.redisUrl, redisPrefix: `prosodia-${unique}` })
  if (engines.s3) {
    const { credentials, ...s3 } = engines.s3
    // The store finds its credentials as in production, in the environment (the AWS SDK's default
    // chain), in this thread and in the worker threads the app starts after this.
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey
    out.s3 = { ...s3, prefix: unique }
  }
  return out
}

/** A queued job in the SQL queue's terms, whichever engine holds it. */
export interface QueuedJob {
  key: string | null
  payload: Record<string, unknown>
  /** ready (also delayed: a retry, a requested delay), leased (running), done, dead. */
  state: 'ready' | 'leased' | 'done' | 'dead'
  /** Deliveries started. */
  attempts: number
}

type Inspectable = { rt: Runtime; config: Config }

const inspectors = new WeakMap<Runtime, { redis: Redis; queues: Map<string, BullQueueClient> }>()

/** Every job named `name` the app's queue holds, finished ones included. */
export async function queueJobs(t: Inspectable, name: string): Promise<QueuedJob[]> {
  if (!t.config.redisUrl) {
    const rows = await t.rt.db.kysely
      .selectFrom('queue_jobs')
      .select(['key', 'payload', 'state', 'attempts'])
      .where('name', '=', name)
      .execute()
    return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload), state: r.state as QueuedJob['state'] }))
  }
  let inspector = inspectors.get(t.rt)
  if (!inspector) {
    inspector = { redis: new Redis(t.config.redisUrl, { maxRetriesPerRequest: null }), queues: new Map() }
    inspectors.set(t.rt, inspector)
  }
  let q = inspector.queues.get(name)
  if (!q) {
    q = new BullQueueClient(name, { connection: inspector.redis, prefix: t.config.redisPrefix })
    inspector.queues.set(name, q)
  }
  const states: Record<QueuedJob['state'], JobType[]> = {
    ready: ['wait', 'prioritized', 'delayed', 'waiting-children', 'paused'],
    leased: ['active'],
    done: ['completed'],
    dead: ['failed'],
  }
  const out: QueuedJob[] = []
  // One state at a time: a job moving between two lists while one call read them all could be missed
  // or listed twice; read apart, it is at worst missed for one poll.
  for (const [state, types] of Object.entries(states) as [QueuedJob['state'], JobType[]][]) {
    for (const job of await q.getJobs(types)) {
      if (!job) continue
      out.push({
        key: job.id?.startsWith('k-') ? decodeURIComponent(job.id.slice(2)) : null,
        payload: job.data as Record<string, unknown>,
        state,
        attempts: job.attemptsStarted,
      })
    }
  }
  return out
}

/** Closes what queueJobs() opened for this runtime (createTestApp's close() calls it). */
export async function closeInspectors(rt: Runtime): Promise<void> {
  const inspector = inspectors.get(rt)
  if (!inspector) return
  inspectors.delete(rt)
  await Promise.all([...inspector.queues.values()].map((q) => q.close()))
  inspector.redis.disconnect()
}

/** Every blob key under `prefix/` (all of them without one), sorted, temp files of unfinished writes included. */
export async function blobKeys(t: Inspectable, prefix = ''): Promise<string[]> {
  const s3 = t.config.s3
  if (!s3) {
    const root = path.join(t.config.blobDir, prefix)
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
    return entries
      .filter((e) => e.isFile())
      .map((e) => path.relative(t.config.blobDir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .sort()
  }
  const base = s3.prefix ? `${s3.prefix}/` : ''
  const client = s3Client(s3, clientOverrides())
  try {
    const keys: string[] = []
    let token: string | undefined
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: s3.bucket,
          Prefix: base + (prefix ? `${prefix.replace(/\/$/, '')}/` : ''),
          ContinuationToken: token,
        }),
      )
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key.slice(base.length))
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
    return keys.sort()
  } finally {
    client.destroy()
  }
}

function clientOverrides(): S3ClientConfig {
  const creds = provided()?.s3?.credentials
  return creds ? { credentials: creds } : {}
}
