/**
 * The worker-thread side of the pool: turns a map of task functions into piscina's default export.
 * A task receives its input and a context with `emit` (stream a message back), `signal` (aborted
 * when the caller cancels or goes away) and the thread's own resources, built once per thread.
 */
import type { Transferable } from 'node:worker_threads'
import { workerData } from 'piscina'
import type { HostMessage, PoolMessage, TaskEnvelope } from './protocol.js'

export interface TaskContext<R> {
  /** Streams one message to the caller; `transfer` moves ArrayBuffers instead of copying them. */
  emit(message: unknown, transfer?: Transferable[]): void
  signal: AbortSignal
  /** The thread's resources (engines, models, blob store), created on first use. */
  resources: R
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Task<R> = (input: any, ctx: TaskContext<R>) => Promise<unknown>

export interface Host {
  (envelope: TaskEnvelope): Promise<void>
  /** Runs the tasks in the calling thread with this data instead of a thread's workerData. */
  inline(data: unknown): Host
}

/**
 * `run` tasks return a value (sent as the final message); streaming tasks emit and return
 * undefined. Errors cross as name + message + reason, so callers can map them (e.g. ArchiveError).
 */
export function hostTasks<D, R>(tasks: Record<string, Task<R>>, resources: (data: D) => R): Host {
  const make = (data: () => D): Host => {
    let built: R | undefined
    const host = async ({ task, input, port }: TaskEnvelope): Promise<void> => {
      const ac = new AbortController()
      port.on('message', (m: PoolMessage) => {
        if (m.kind === 'cancel') ac.abort(new Error('cancelled by the caller'))
      })
      const send = (m: HostMessage, transfer?: Transferable[]) => port.postMessage(m, transfer)
      try {
        const fn = tasks[task]
        if (!fn) throw new Error(`no worker task named ${task}`)
        built ??= resources(data())
        const ctx: TaskContext<R> = {
          emit: (message, transfer) => send({ kind: 'emit', message }, transfer),
          signal: ac.signal,
          resources: built,
        }
        const result = await fn(input, ctx)
        if (result !== undefined) send({ kind: 'result', value: result })
        send({ kind: 'done' })
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err))
        send({ kind: 'error', name: e.name, message: e.message, reason: (e as { reason?: string }).reason })
      } finally {
        port.close()
      }
    }
    return Object.assign(host, { inline: (d: unknown) => make(() => d as D) })
  }
  return make(() => (workerData as { data: D }).data)
}
