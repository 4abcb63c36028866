/** What crosses a task's MessagePort between the pool (main thread) and its host (worker thread). */
import type { MessagePort } from 'node:worker_threads'

/** The piscina task payload: which task, its input, and the port it talks through. */
export interface TaskEnvelope {
  task: string
  input: unknown
  port: MessagePort
}

/** Host → pool: streamed messages, then exactly one of `result` (with `done`), `done` or `error`. */
export type HostMessage<M = unknown> =
  | { kind: 'emit'; message: M }
  | { kind: 'result'; value: unknown }
  | { kind: 'done' }
  | { kind: 'error'; name: string; message: string; reason?: string }

/** Pool → host. */
export type PoolMessage = { kind: 'cancel' }

/** An error thrown by a task, rebuilt on the caller's side with its name and `reason` (e.g. ArchiveError's). */
export class TaskError extends Error {
  constructor(
    name: string,
    message: string,
    readonly reason?: string,
  ) {
    super(message)
    this.name = name
  }
}
