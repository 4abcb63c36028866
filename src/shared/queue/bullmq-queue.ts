/**
 * The queue on Redis (BullMQ 5), selected by REDIS_URL: the same contract as the SQL queue, for
 * deployments with several API and worker processes.
 *
 * BullMQ runs here in its manual mode: QueueWorker keeps driving jobs (claim, heartbeat, complete,
 * fail, release), and BullMQ supplies the atomic moves between its lists and the per-job lock that
 * is our lease (the lock token is the claiming worker's `owner`). One BullMQ queue per job name:
 * BullMQ hands out the next job of one queue and cannot filter a queue by job name, so claim(names)
 * looks at each name's queue in turn (starting after the last one served, so a busy name does not
 * starve the others).
 *
 * Attempts: BullMQ counts each start (`attemptsStarted`), including starts whose worker died, as the
 * SQL queue counts claims; release() takes its start back. Retries and dead jobs are ours, not BullMQ's
 * (its own retry would ignore the worker's backoff): fail() moves the job to BullMQ's delayed set or,
 * when attempts are used up, to its failed set. A crashed worker's job is found by BullMQ's stalled
 * check once its lock (lease) has expired and goes back to wait, however often that happens.
 *
 * Transactions: `tx` cannot join Redis; see bullmq-commit.ts for how such jobs wait for the commit.
 */
import { randomUUID } from 'node:crypto'
import { Job, Queue as BullQueueClient, Worker, type JobsOptions } from 'bullmq'
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { DeadlineError, withDeadline } from '../deadline.js'
import { CommitTracker, isTransaction } from './bullmq-commit.js'
import { QueueUnavailableError, type ClaimedJob, type EnqueueOptions, type JobMap, type Queue } from './queue.js'

export interface BullQueueOptions {
  /** Key prefix in Redis (several deployments can share one server). */
  prefix?: string
  /** How often a claiming process looks for jobs whose lock expired (a dead worker's), ms. */
  stalledCheckMs?: number
  /** How long an enqueue waits for Redis before it fails with QueueUnavailableError, ms. */
  enqueueTimeoutMs?: number
  /** How long a job enqueued under a transaction waits for the commit before it would run anyway, ms. */
  commitHoldMs?: number
  /** How long finished jobs stay (their dedupe keys with them), seconds. */
  keepCompletedSeconds?: number
  /** How long dead jobs stay for inspection, seconds. */
  keepDeadSeconds?: number
  /** Most finished (and, separately, dead) jobs kept per job name. */
  keepJobs?: number
  log?: Logger
}

const DEFAULTS = {
  prefix: 'prosodia',
  stalledCheckMs: 5_000,
  commitHoldMs: 60_000,
  enqueueTimeoutMs: 5_000,
  keepCompletedSeconds: 7 * 86_400,
  keepDeadSeconds: 30 * 86_400,
  keepJobs: 100_000,
}

/** The lock errors of BullMQ's scripts: the job is no longer ours (its lease lapsed, or it is gone). */
const LOST = /Missing lock|Lock mismatch|Missing key|is not in the active state/

/**
 * Undoes a start when a job is handed back, only while `owner` still holds it (KEYS[1] the job's lock,
 * KEYS[2] the job hash; ARGV[1] the owner). BullMQ has no "move back without counting" of its own.
 */
const UNCOUNT_START = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('HINCRBY', KEYS[2], 'ats', -1)
  return 1
end
return 0`

/** BullMQ ids may not be integers nor contain ':'; dedupe keys are free text. Reversible, so distinct keys stay distinct. */
export function keyToJobId(key: string): string {
  return `k-${key.replace(/%/g, '%25').replace(/:/g, '%3A')}`
}

export class BullQueue<M extends JobMap> implements Queue<M> {
  private readonly listeners = new Set<() => void>()
  private readonly queues = new Map<string, BullQueueClient>()
  private readonly workers = new Map<string, Worker>()
  /** Jobs this process holds, by our id: the Job objects the lock-checked moves are made on. */
  private readonly held = new Map<string, Job>()
  private readonly commits: CommitTracker
  private readonly o: typeof DEFAULTS
  private next = 0

  constructor(
    private readonly redis: Redis,
    private readonly opts: BullQueueOptions = {},
  ) {
    this.o = { ...DEFAULTS, ...stripUndefined(opts) }
    this.commits = new CommitTracker({
      pollMs: 10,
      holdMs: this.o.commitHoldMs,
      onError: (err) => opts.log?.warn({ err }, 'queue: releasing a job after its commit failed'),
    })
  }

  private async bounded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(work(), this.o.enqueueTimeoutMs, 'the job queue (Redis)')
    } catch (err) {
      if (err instanceof DeadlineError) throw new QueueUnavailableError(err.message, { cause: err })
      throw err
    }
  }

  /** A connection BullMQ accepts for its workers (they block, so no per-request retry limit). */
  static connect(url: string): Redis {
    return new Redis(url, { maxRetriesPerRequest: null })
  }

  notify(): void {
    // Callers notify right after their commit: held jobs can go now rather than at the next poll.
    if (this.commits.size > 0) void this.commits.check().then(() => this.wake())
    else this.wake()
  }

  onNotify(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async enqueue<K extends keyof M & string>(name: K, payload: M[K], opts: EnqueueOptions = {}): Promise<string> {
    const q = this.queue(name)
    const jobId = opts.key === undefined ? randomUUID() : keyToJobId(opts.key)
    const delay = Math.max(0, opts.delayMs ?? 0)
    const underTx = isTransaction(opts.tx)
    const jobOpts: JobsOptions = {
      jobId,
      attempts: opts.maxAttempts ?? 5,
      delay: underTx ? Math.max(delay, this.o.commitHoldMs) : delay,
      removeOnComplete: { age: this.o.keepCompletedSeconds, count: this.o.keepJobs },
      removeOnFail: { age: this.o.keepDeadSeconds, count: this.o.keepJobs },
    }
    // A dedupe key already taken leaves that job as it is; only a job added here is ours to hold or drop.
    // Bounded: the shared connection waits for Redis indefinitely (BullMQ's workers need that), but a
    // request must not hold its database transaction open through a Redis outage. Should the add still
    // reach Redis after this gives up, its transaction has rolled back and the job finds no data to run.
    const { existed, job } = await this.bounded(async () => {
      const existed = opts.key !== undefined && (await this.redis.exists(q.toKey(jobId))) === 1
      return { existed, job: await q.add(name, payload, jobOpts) }
    })
    if (underTx && !existed) {
      const due = Date.now() + delay
      this.commits.hold(opts.tx!, {
        commit: async () => {
          const left = due - Date.now()
          if (left > 0) await job.changeDelay(left)
          else await job.promote()
          this.wake()
        },
        rollback: () => job.remove(),
        extend: () => job.changeDelay(this.o.commitHoldMs),
      })
    }
    return ourId(name, job.id ?? jobId)
  }

  async claim(
    names: readonly (keyof M & string)[],
    owner: string,
    leaseMs: number,
  ): Promise<ClaimedJob<M> | undefined> {
    for (let i = 0; i < names.length; i++) {
      const name = names[(this.next + i) % names.length]!
      const worker = this.worker(name, leaseMs)
      const job = (await worker.getNextJob(owner, { block: false })) as Job | undefined
      if (!job?.id) continue
      this.next = (this.next + i + 1) % names.length
      // The worker's lock duration is the first claimer's lease; another lease is set right away.
      if (leaseMs !== worker.opts.lockDuration) await job.extendLock(owner, leaseMs)
      const id = ourId(name, job.id)
      this.held.set(id, job)
      return {
        id,
        name,
        payload: job.data as M[keyof M],
        attempt: job.attemptsStarted,
        maxAttempts: job.opts.attempts ?? 1,
      }
    }
    return undefined
  }

  async heartbeat(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const job = await this.job(id)
    if (!job) return false
    return (await job.extendLock(owner, leaseMs)) === 1
  }

  async complete(id: string, owner: string): Promise<void> {
    await this.lockChecked(id, async (job) => {
      await job.moveToCompleted(null, owner, false)
    })
  }

  async release(id: string, owner: string): Promise<void> {
    await this.lockChecked(id, async (job) => {
      const jobKey = this.queue(splitId(id).name).toKey(job.id!)
      if ((await this.redis.eval(UNCOUNT_START, 2, `${jobKey}:lock`, jobKey, owner)) !== 1) return
      await job.moveToWait(owner)
    })
    this.wake()
  }

  async fail(id: string, owner: string, error: string, retryInMs: number): Promise<'retrying' | 'dead' | 'lost'> {
    const outcome = await this.lockChecked(id, async (job) => {
      const message = error.slice(0, 2000)
      if (job.attemptsStarted >= (job.opts.attempts ?? 1)) {
        // Ours, not BullMQ's, retry policy decided: it must not schedule one of its own.
        job.discard()
        await job.moveToFailed(new Error(message), owner, false)
        return 'dead' as const
      }
      await job.moveToDelayed(Date.now() + Math.max(0, retryInMs), owner)
      return 'retrying' as const
    })
    return outcome ?? 'lost'
  }

  /**
   * Jobs by name and state for /metrics, in the SQL queue's terms: ready, delayed (a retry, a requested
   * delay, or a job waiting for its transaction), leased (running) and dead. Finished jobs are left out.
   */
  async depth(names: readonly string[]): Promise<Array<{ name: string; state: string; count: number }>> {
    const rows = await Promise.all(
      names.map(async (name) => {
        const c = await this.queue(name).getJobCounts('wait', 'prioritized', 'delayed', 'active', 'failed')
        return [
          { name, state: 'ready', count: (c.wait ?? 0) + (c.prioritized ?? 0) },
          { name, state: 'delayed', count: c.delayed ?? 0 },
          { name, state: 'leased', count: c.active ?? 0 },
          { name, state: 'dead', count: c.failed ?? 0 },
        ]
      }),
    )
    return rows.flat()
  }

  /** Answers when Redis does (for /readyz). */
  async ping(): Promise<void> {
    await this.redis.ping()
  }

  /** Lets held jobs whose transaction ended go, then closes BullMQ's connections (not the shared one). */
  async close(): Promise<void> {
    await this.commits.settle(2_000)
    await Promise.all([...this.workers.values()].map((w) => w.close(true)))
    await Promise.all([...this.queues.values()].map((q) => q.close()))
    this.workers.clear()
    this.queues.clear()
  }

  private wake(): void {
    for (const l of this.listeners) l()
  }

  private queue(name: string): BullQueueClient {
    let q = this.queues.get(name)
    if (!q) {
      q = new BullQueueClient(name, { connection: this.redis, prefix: this.o.prefix })
      q.on('error', (err) => this.opts.log?.warn({ err, queue: name }, 'queue: redis error'))
      this.queues.set(name, q)
    }
    return q
  }

  /** The claiming side of a name's queue: created by the first claim, so API-only processes have none. */
  private worker(name: string, leaseMs: number): Worker {
    let w = this.workers.get(name)
    if (!w) {
      w = new Worker(name, undefined, {
        connection: this.redis,
        prefix: this.o.prefix,
        autorun: false,
        lockDuration: leaseMs,
        stalledInterval: this.o.stalledCheckMs,
        // A job whose worker keeps dying goes back every time, as with the SQL queue's leases;
        // BullMQ's default (fail it after one stall) would lose work on a single crash.
        maxStalledCount: 1_000_000_000,
      })
      w.on('error', (err) => this.opts.log?.warn({ err, queue: name }, 'queue: redis error'))
      void w.startStalledCheckTimer()
      this.workers.set(name, w)
    }
    return w
  }

  private async job(id: string): Promise<Job | undefined> {
    const held = this.held.get(id)
    if (held) return held
    const { name, jobId } = splitId(id)
    return (await Job.fromId(this.queue(name), jobId)) ?? undefined
  }

  /** Runs a move that BullMQ checks against the lock; undefined when `owner` no longer holds the job. */
  private async lockChecked<T>(id: string, move: (job: Job) => Promise<T>): Promise<T | undefined> {
    try {
      const job = await this.job(id)
      if (!job) return undefined
      return await move(job)
    } catch (err) {
      if (err instanceof Error && LOST.test(err.message)) return undefined
      throw err
    } finally {
      this.held.delete(id)
    }
  }
}

/** Our job id names the job's queue too: heartbeat(id) and friends find the queue from it. */
function ourId(name: string, jobId: string): string {
  return `${name}/${jobId}`
}

function splitId(id: string): { name: string; jobId: string } {
  // Job names have no '/'; dedupe keys (in the job id) may.
  const at = id.indexOf('/')
  return { name: id.slice(0, at), jobId: id.slice(at + 1) }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
