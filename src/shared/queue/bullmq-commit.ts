/**
 * Jobs enqueued under an application transaction, for a queue that cannot join it (Redis).
 *
 * The SQL queue writes its job in the caller's transaction, so the job commits with the data it is
 * about. Redis cannot take part in that transaction, and the handlers rely on it: `expression.inference`
 * and `evi.audio_reconstruction` end quietly when their row is missing or not yet in its final state,
 * so a job that ran before its commit would be lost. So such a job is written to Redis at once (a
 * process that dies right after the commit loses nothing) but *held back* as a delayed job, and made
 * runnable once the transaction is seen to have committed; a rolled-back transaction takes its job
 * with it. Kysely refuses queries on a finished transaction ("Transaction is already committed" /
 * "... rolled back"): a cheap probe tells which way it went. Should this process die before it sees
 * the outcome, the hold simply runs out and the job runs then (its handler finds the row, or no row).
 */
import { sql } from 'kysely'
import type { Executor } from '../storage/database.js'

/** What the tracker does with a held job once its transaction ends. */
export interface HeldJob {
  /** The transaction committed: the job may run (after whatever delay it was enqueued with). */
  commit(): Promise<void>
  /** The transaction rolled back: the job must never run. */
  rollback(): Promise<void>
  /** Still open after half the hold: push the hold further out so the job cannot run early. */
  extend(): Promise<void>
}

type TxState = 'open' | 'committed' | 'rolled_back'

/** Is `tx` a Kysely transaction (and not the plain database handle)? */
export function isTransaction(tx: Executor | undefined): tx is Executor {
  return tx !== undefined && tx.isTransaction
}

async function txState(tx: Executor): Promise<TxState> {
  try {
    await sql`select 1`.execute(tx)
    return 'open'
  } catch (err) {
    const message = err instanceof Error ? err.message : ''
    if (/already committed/i.test(message)) return 'committed'
    if (/already rolled back/i.test(message)) return 'rolled_back'
    // Any other error (a PostgreSQL transaction in its failed state, say) leaves it undecided: look again.
    return 'open'
  }
}

export class CommitTracker {
  private readonly held = new Map<Executor, Array<{ job: HeldJob; since: number }>>()
  private timer: NodeJS.Timeout | undefined
  private checking: Promise<void> | undefined

  constructor(
    private readonly opts: {
      /** How often open transactions are looked at, ms. */
      pollMs: number
      /** How long a held job waits before it would run regardless, ms. */
      holdMs: number
      onError: (err: unknown) => void
    },
  ) {}

  get size(): number {
    let n = 0
    for (const jobs of this.held.values()) n += jobs.length
    return n
  }

  hold(tx: Executor, job: HeldJob): void {
    const jobs = this.held.get(tx) ?? []
    jobs.push({ job, since: Date.now() })
    this.held.set(tx, jobs)
    this.timer ??= setInterval(() => void this.check(), this.opts.pollMs)
    this.timer.unref()
  }

  /** Looks at every transaction with held jobs now (callers notify() right after they commit). */
  check(): Promise<void> {
    this.checking ??= this.checkAll().finally(() => (this.checking = undefined))
    return this.checking
  }

  /** Waits until no job is held (a stopping process releases what it can see the outcome of). */
  async settle(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs
    while (this.held.size > 0 && Date.now() < until) {
      await this.check()
      if (this.held.size > 0) await new Promise((r) => setTimeout(r, this.opts.pollMs))
    }
    this.stop()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private async checkAll(): Promise<void> {
    for (const [tx, jobs] of [...this.held]) {
      const state = await txState(tx)
      if (state === 'open') {
        const now = Date.now()
        for (const h of jobs) {
          if (now - h.since < this.opts.holdMs / 2) continue
          h.since = now
          await h.job.extend().catch(this.opts.onError)
        }
        continue
      }
      this.held.delete(tx)
      for (const { job } of jobs) await (state === 'committed' ? job.commit() : job.rollback()).catch(this.opts.onError)
    }
    if (this.held.size === 0) this.stop()
  }
}
