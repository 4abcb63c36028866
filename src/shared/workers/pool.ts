/**
 * The worker-thread pool every CPU-heavy task runs on (synthesis and encoding, archive extraction,
 * inference, large serialisation), so the event loop only does I/O and bookkeeping. Built on
 * piscina; tasks are named functions registered in the worker entry (see worker-host.ts), and
 * every task gets a MessagePort through which it streams messages back and hears cancellation.
 */
import { availableParallelism } from 'node:os'
import type { Transferable } from 'node:worker_threads'
import { Piscina } from 'piscina'
import type { TaskEnvelope } from './protocol.js'
import { poolOver, type StartTask } from './task-channel.js'

export interface RunOptions {
  signal?: AbortSignal
}

export interface PoolStats {
  name: string
  threads: number
  /** Tasks waiting for a free thread. */
  queued: number
  /** Fraction of thread time spent running tasks since start (0..1). */
  utilization: number
}

export interface WorkerPool {
  readonly name: string
  readonly threads: number
  /** Runs a task to completion and resolves with its result; an abort asks the task to stop. */
  run<R>(task: string, input: unknown, opts?: RunOptions): Promise<R>
  /**
   * Runs a task that streams messages back as it makes them. The iterable ends when the task
   * returns and throws what the task throws; leaving the loop early (or aborting) cancels it.
   */
  stream<M>(task: string, input: unknown, opts?: RunOptions): AsyncIterable<M>
  stats(): PoolStats
  close(): Promise<void>
}

/** Thrown when the pool's queue is full: callers answer 503 with retry-after. */
export class PoolBusyError extends Error {
  constructor(readonly pool: string) {
    super(`the ${pool} worker pool is busy`)
    this.name = 'PoolBusyError'
  }
}

export interface WorkerPoolOptions {
  name: string
  /** The worker module: its default export is the host built by `hostTasks` (worker-host.ts). */
  entry: URL
  threads?: number
  /** Tasks that may wait for a thread before `run` refuses with PoolBusyError. */
  maxQueue?: number
  /** Lower scheduling priority of the pool's threads (nice(2)), so the event loop stays responsive. */
  niceIncrement?: number
  /** Cloned into every thread (`workerData`): what the thread needs to build its engines. */
  workerData?: unknown
  idleTimeoutMs?: number
  /** Start every thread now and keep it (servers); otherwise threads start on demand and idle out (tests, CLIs). */
  keepAlive?: boolean
  /** Heap cap per thread: a runaway task kills its thread (and fails its caller), not the process. */
  maxHeapMb?: number
}

/** The data every thread receives: the entry to load (boot.mjs imports it) and the caller's own data. */
export interface PoolWorkerData<D = unknown> {
  entry: string
  data: D
}

/**
 * Compiled JavaScript loads directly; TypeScript sources (tsx, vitest) load through boot.mjs,
 * which registers tsx inside the thread first.
 */
function threadFile(entry: URL): string {
  return entry.pathname.endsWith('.ts') ? new URL('./boot.mjs', import.meta.url).href : entry.href
}

export function createWorkerPool(opts: WorkerPoolOptions): WorkerPool {
  const threads = Math.max(1, opts.threads ?? availableParallelism())
  const workerData: PoolWorkerData = { entry: opts.entry.href, data: opts.workerData }
  const piscina = new Piscina({
    filename: threadFile(opts.entry),
    minThreads: opts.keepAlive ? threads : 0,
    maxThreads: threads,
    idleTimeout: opts.keepAlive ? Infinity : (opts.idleTimeoutMs ?? 60_000),
    maxQueue: opts.maxQueue ?? threads * 64,
    // Tasks hold open handles (ports, streams, timers); atomics would pause the thread between them.
    atomics: 'disabled',
    niceIncrement: opts.niceIncrement ?? 0,
    workerData,
    ...(opts.maxHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb } } : {}),
  })
  // Piscina reports a crashed thread through the task's promise; the pool itself must not throw.
  piscina.on('error', () => {})

  const start: StartTask = (task, input, port) => {
    const envelope: TaskEnvelope = { task, input, port }
    return piscina.run(envelope, { transferList: [port as unknown as Transferable] }).catch((err: unknown) => {
      if (err instanceof Error && /queue is at limit/i.test(err.message)) throw new PoolBusyError(opts.name)
      throw err
    })
  }
  return poolOver(opts.name, threads, start, {
    stats: () => ({
      name: opts.name,
      threads: piscina.threads.length,
      queued: piscina.queueSize,
      utilization: piscina.utilization,
    }),
    // Callers stop their producers first (HTTP drained, queue workers stopped): what is left, such as
    // a warm-up still loading an engine, is ended with its thread rather than waited for.
    close: () => piscina.destroy(),
  })
}
