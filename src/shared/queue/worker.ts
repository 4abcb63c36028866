/**
 * Runs queue jobs with a fixed concurrency. Its job names are the registry's keys; it refuses to
 * start while any of them lacks a handler, renews leases while a handler runs, and retries
 * failures with exponential backoff plus jitter.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { ClaimedJob, JobMap, JobRegistry, Queue } from './queue.js'

export interface WorkerOptions {
  concurrency: number
  leaseMs?: number
  pollMs?: number
  /** Base of the exponential retry delay. */
  backoffMs?: number
  /** Told how each delivery ended and how long it ran (the /metrics job counters). */
  onJobEnd?: (name: string, outcome: JobOutcome, seconds: number) => void
}

/**
 * How one delivery ended: `released` was handed back by a stopping worker, `lost` had its lease taken
 * over by another worker, `unknown` could not be recorded (the queue itself failed; the lease expires).
 */
export type JobOutcome = 'completed' | 'retrying' | 'dead' | 'released' | 'lost' | 'unknown'

export class QueueWorker<M extends JobMap> {
  readonly owner = `worker-${randomUUID()}`
  readonly names: readonly (keyof M & string)[]
  private running = false
  private readonly active = new Set<Promise<void>>()
  /** Job ids running here: a job whose lease lapsed and came back to this worker must not run twice. */
  private readonly running_ = new Set<string>()
  private readonly stopping = new AbortController()
  private wake: (() => void) | undefined
  private loop: Promise<void> | undefined
  private unsubscribe: (() => void) | undefined

  constructor(
    private readonly queue: Queue<M>,
    private readonly registry: JobRegistry<M>,
    private readonly log: Logger,
    private readonly opts: WorkerOptions,
  ) {
    this.names = Object.keys(registry) as (keyof M & string)[]
    const missing = this.names.filter((n) => typeof registry[n]?.handle !== 'function')
    if (missing.length > 0) throw new Error(`queue worker: no handler for ${missing.join(', ')}`)
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.unsubscribe = this.queue.onNotify(() => this.nudge())
    this.loop = this.run()
  }

  /** Wakes an idle worker now instead of at the next poll. */
  nudge(): void {
    this.wake?.()
  }

  /**
   * Stops claiming, tells the jobs in progress to stop (their signal aborts) and waits for them;
   * each is handed back to the queue, runnable at once by another worker.
   */
  async stop(): Promise<void> {
    this.running = false
    this.stopping.abort(new Error('the queue worker is stopping'))
    this.unsubscribe?.()
    this.nudge()
    await this.loop
    await Promise.allSettled([...this.active])
  }

  get busy(): number {
    return this.active.size
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
        if (this.running_.has(job.id)) continue // still running here; the claim just renewed its lease
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
    const lost = new AbortController()
    const beat = setInterval(() => {
      this.queue.heartbeat(job.id, this.owner, leaseMs).then(
        (held) => {
          if (held) return
          log.warn('lease lost: another worker may be running this job; stopping here')
          lost.abort(new Error('the job lease was lost'))
        },
        (err: unknown) => log.warn({ err }, 'lease renewal failed'),
      )
    }, leaseMs / 3)
    const def = this.registry[job.name]
    this.running_.add(job.id)
    const started = performance.now()
    let outcome: JobOutcome = 'unknown'
    try {
      const signal = AbortSignal.any([lost.signal, this.stopping.signal])
      await def.handle(job.payload, { job: job as ClaimedJob<JobMap>, signal })
      await this.queue.complete(job.id, this.owner)
      outcome = 'completed'
    } catch (err) {
      if (this.stopping.signal.aborted) {
        // Interrupted by our own shutdown, not failed: another worker (or this one, restarted) takes it now.
        await this.queue.release(job.id, this.owner).catch((e: unknown) => log.warn({ err: e }, 'release failed'))
        log.info('job handed back: the worker is stopping')
        outcome = 'released'
        return
      }
      const base = this.opts.backoffMs ?? 1000
      const delay = Math.round(base * 2 ** (job.attempt - 1) * (0.5 + Math.random()))
      const message = err instanceof Error ? err.message : String(err)
      outcome = await this.queue.fail(job.id, this.owner, message, delay).catch(() => 'unknown' as const)
      log.warn({ err, outcome, retryInMs: delay }, 'queue job failed')
      // 'unknown' (the queue itself failed) leaves the lease to expire, so the job comes back later.
      if (outcome === 'dead') {
        await def.onDead?.(job.payload, message).catch((e: unknown) => log.error({ err: e }, 'dead-job hook failed'))
      }
    } finally {
      clearInterval(beat)
      this.running_.delete(job.id)
      this.opts.onJobEnd?.(String(job.name), outcome, (performance.now() - started) / 1000)
    }
  }
}
