/**
 * Runs queue jobs with a fixed concurrency. Refuses to start while a job name
 * in the map has no handler, renews leases while a handler runs, and retries
 * failures with exponential backoff plus jitter.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { ClaimedJob, JobMap, Queue } from './queue.js'

export type Handlers<M extends JobMap> = { [K in keyof M]: (payload: M[K], job: ClaimedJob<M, K>) => Promise<void> }
/**
 * Called once when a job has used up its attempts, so the domain can record the failure (e.g. mark a
 * batch job FAILED) instead of leaving whatever state the last attempt reached.
 */
export type DeadHandlers<M extends JobMap> = { [K in keyof M]?: (payload: M[K], error: string) => Promise<void> }

export interface WorkerOptions {
  concurrency: number
  leaseMs?: number
  pollMs?: number
  /** Base of the exponential retry delay. */
  backoffMs?: number
  onDead?: DeadHandlers<JobMap>
}

export class QueueWorker<M extends JobMap> {
  readonly owner = `worker-${randomUUID()}`
  private running = false
  private readonly active = new Set<Promise<void>>()
  private wake: (() => void) | undefined
  private loop: Promise<void> | undefined

  constructor(
    private readonly queue: Queue<M>,
    private readonly handlers: Handlers<M>,
    private readonly names: readonly (keyof M & string)[],
    private readonly log: Logger,
    private readonly opts: WorkerOptions,
  ) {
    const missing = names.filter((n) => typeof handlers[n] !== 'function')
    if (missing.length > 0) throw new Error(`queue worker: no handler for ${missing.join(', ')}`)
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  /** Wakes an idle worker now instead of at the next poll (after an enqueue in this process). */
  nudge(): void {
    this.wake?.()
  }

  async stop(): Promise<void> {
    this.running = false
    this.nudge()
    await this.loop
    await Promise.allSettled([...this.active])
  }

  private async run(): Promise<void> {
    const poll = this.opts.pollMs ?? 500
    while (this.running) {
      let claimed = false
      while (this.running && this.active.size < this.opts.concurrency) {
        const job = await this.queue
          .claim(this.names, this.owner, this.opts.leaseMs ?? 30_000)
          .catch((err: unknown) => {
            this.log.error({ err }, 'queue claim failed')
            return undefined
          })
        if (!job) break
        claimed = true
        const p = this.execute(job).finally(() => {
          this.active.delete(p)
          this.nudge()
        })
        this.active.add(p)
      }
      if (!this.running) break
      if (!claimed || this.active.size >= this.opts.concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, poll)
          this.wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        this.wake = undefined
      }
    }
  }

  private async execute(job: ClaimedJob<M>): Promise<void> {
    const log = this.log.child({ jobId: job.id, queue: job.name, attempt: job.attempt })
    const leaseMs = this.opts.leaseMs ?? 30_000
    const beat = setInterval(() => {
      this.queue
        .heartbeat(job.id, this.owner, leaseMs)
        .catch((err: unknown) => log.warn({ err }, 'lease renewal failed'))
    }, leaseMs / 3)
    try {
      const handler = this.handlers[job.name] as (p: unknown, j: ClaimedJob<M>) => Promise<void>
      await handler(job.payload, job)
      await this.queue.complete(job.id, this.owner)
    } catch (err) {
      const base = this.opts.backoffMs ?? 1000
      const delay = Math.round(base * 2 ** (job.attempt - 1) * (0.5 + Math.random()))
      const message = err instanceof Error ? err.message : String(err)
      const outcome = await this.queue.fail(job.id, this.owner, message, delay).catch(() => 'unknown')
      log.warn({ err, outcome, retryInMs: delay }, 'queue job failed')
      // 'unknown' (the queue itself failed) leaves the lease to expire, so the job comes back later.
      if (outcome === 'dead') {
        await this.opts.onDead?.[job.name]?.(job.payload, message).catch((e: unknown) =>
          log.error({ err: e }, 'dead-job hook failed'),
        )
      }
    } finally {
      clearInterval(beat)
    }
  }
}
