/** The caller's side of one task: a MessageChannel whose messages become an async iterable. */
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { AsyncQueue } from './async-queue.js'
import { TaskError, type HostMessage } from './protocol.js'
import type { PoolStats, RunOptions, WorkerPool } from './pool.js'

/** Hands the host its end of the channel and runs the task (in a thread or inline). */
export type StartTask = (task: string, input: unknown, port: MessagePort) => Promise<unknown>

async function* open<M>(
  start: StartTask,
  task: string,
  input: unknown,
  o: RunOptions,
  onResult: (v: unknown) => void,
): AsyncGenerator<M> {
  o.signal?.throwIfAborted()
  const { port1, port2 } = new MessageChannel()
  const queue = new AsyncQueue<M>()
  port1.on('message', (m: HostMessage<M>) => {
    if (m.kind === 'emit') queue.push(m.message)
    else if (m.kind === 'result') onResult(m.value)
    else if (m.kind === 'done') queue.end()
    else queue.fail(new TaskError(m.name, m.message, m.reason))
  })
  const cancel = () => port1.postMessage({ kind: 'cancel' })
  o.signal?.addEventListener('abort', cancel, { once: true })
  // A thread that dies never sends "done": the start promise's rejection ends the stream instead.
  start(task, input, port2).catch((err: unknown) => queue.fail(err as Error))
  try {
    yield* queue
  } finally {
    if (!queue.finished) cancel()
    o.signal?.removeEventListener('abort', cancel)
    port1.close()
  }
}

/** A WorkerPool over any way of starting tasks. */
export function poolOver(
  name: string,
  threads: number,
  start: StartTask,
  extra: { stats: () => PoolStats; close: () => Promise<void> },
): WorkerPool {
  return {
    name,
    threads,
    stream: (task, input, o = {}) => open(start, task, input, o, () => {}),
    async run<R>(task: string, input: unknown, o: RunOptions = {}): Promise<R> {
      let result: R | undefined
      for await (const _ of open(start, task, input, o, (v) => (result = v as R))) void _
      return result as R
    },
    ...extra,
  }
}
