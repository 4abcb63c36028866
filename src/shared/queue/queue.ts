/**
 * The queue contract. A `JobMap` maps each job name to its payload type; payloads carry a version
 * `v` so a worker can refuse shapes it does not know. Handlers must be idempotent: a job whose
 * worker died is delivered again.
 */
import type { Executor } from '../storage/database.js'

export type JobMap = Record<string, { v: number }>

export interface EnqueueOptions {
  /** Dedupe key: a second enqueue with the same key is a no-op. */
  key?: string
  /** Run no earlier than this many ms from now. */
  delayMs?: number
  /** Deliveries before the job is given up (default 5). */
  maxAttempts?: number
  /**
   * The application transaction the job belongs to. A queue stored in the application database
   * enqueues inside it (the job commits with the data it is about, or not at all).
   */
  tx?: Executor
}

export interface ClaimedJob<M extends JobMap, K extends keyof M = keyof M> {
  id: string
  name: K
  payload: M[K]
  /** 1 on the first delivery. */
  attempt: number
  maxAttempts: number
}

/** The queue's store cannot take a job now (Redis unreachable): the request answers 503 and may be retried. */
export class QueueUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'QueueUnavailableError'
  }
}

export interface Queue<M extends JobMap> {
  enqueue<K extends keyof M & string>(name: K, payload: M[K], opts?: EnqueueOptions): Promise<string>
  /** Leases the next runnable job (new, due for retry, or whose lease expired). */
  claim(names: readonly (keyof M & string)[], owner: string, leaseMs: number): Promise<ClaimedJob<M> | undefined>
  /** Extends a lease still held by `owner`; false if it was lost. */
  heartbeat(id: string, owner: string, leaseMs: number): Promise<boolean>
  complete(id: string, owner: string): Promise<void>
  /**
   * Schedules a retry after `retryInMs`, or marks the job dead when attempts are exhausted;
   * 'lost' when `owner` no longer holds the job (its lease lapsed and another worker took it).
   */
  fail(id: string, owner: string, error: string, retryInMs: number): Promise<'retrying' | 'dead' | 'lost'>
  /**
   * Hands a job back untouched (the worker is stopping): runnable again at once by any worker, and
   * the interrupted delivery does not count against its attempts.
   */
  release(id: string, owner: string): Promise<void>
  /** Tells this process's idle workers that jobs were committed, so they claim now, not at their next poll. */
  notify(): void
  /** Registers a listener for notify(); returns its removal. */
  onNotify(listener: () => void): () => void
}

/** One job kind: its handler and, optionally, what to record when every attempt failed. */
/** What a handler is told besides its payload. */
export interface JobContext {
  job: ClaimedJob<JobMap>
  /**
   * Aborted when this worker loses the job's lease (another worker may be running it now) or is
   * stopping: long handlers pass it on so their work ends rather than running twice.
   */
  signal: AbortSignal
}

export interface JobDefinition<P> {
  handle(payload: P, ctx: JobContext): Promise<void>
  /** Called once when the job has used up its attempts (e.g. to mark a batch job FAILED). */
  onDead?(payload: P, error: string): Promise<void>
}

/** Every job name with its definition: the worker's names are this map's keys. */
export type JobRegistry<M extends JobMap> = { [K in keyof M]: JobDefinition<M[K]> }
