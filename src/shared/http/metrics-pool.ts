/**
 * A WorkerPool that times its tasks: every stage that runs on the threads (TTS synthesis, EVI
 * speech, prosody and end-of-turn checks, batch inference, audio reconstruction) is timed here,
 * by pool and task name, without touching the domains. The time includes the wait for a thread,
 * which is what a caller experiences.
 */
import type { WorkerPool } from '../workers/pool.js'
import type { Metrics } from './metrics-registry.js'

type Outcome = 'ok' | 'error' | 'cancelled'

function outcomeOf(err: unknown, signal: AbortSignal | undefined): Outcome {
  return signal?.aborted || (err instanceof Error && err.name === 'AbortError') ? 'cancelled' : 'error'
}

export function instrumentPool(pool: WorkerPool, metrics: Metrics): WorkerPool {
  const labels = (task: string, outcome: Outcome) => ({ pool: pool.name, task, outcome })
  return {
    get name() {
      return pool.name
    },
    get threads() {
      return pool.threads
    },
    stats: () => pool.stats(),
    close: () => pool.close(),
    async run<R>(task: string, input: unknown, opts?: Parameters<WorkerPool['run']>[2]): Promise<R> {
      const end = metrics.taskDuration.startTimer()
      try {
        const result = await pool.run<R>(task, input, opts)
        end(labels(task, 'ok'))
        return result
      } catch (err) {
        end(labels(task, outcomeOf(err, opts?.signal)))
        throw err
      }
    },
    stream<M>(task: string, input: unknown, opts?: Parameters<WorkerPool['stream']>[2]): AsyncIterable<M> {
      return timedStream<M>(pool.stream<M>(task, input, opts), metrics, pool.name, task, opts?.signal)
    },
  }
}

async function* timedStream<M>(
  source: AsyncIterable<M>,
  metrics: Metrics,
  pool: string,
  task: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<M> {
  const end = metrics.taskDuration.startTimer()
  const first = metrics.taskFirstMessage.startTimer()
  let failed: Outcome | undefined
  let started = false
  try {
    for await (const m of source) {
      if (!started) {
        started = true
        first({ pool, task })
      }
      yield m
    }
  } catch (err) {
    failed = outcomeOf(err, signal)
    throw err
  } finally {
    // A consumer that stops reading once it has what it needs (the JSON body of a render) succeeded;
    // only an aborted signal (the client went away) makes an early end a cancellation.
    end({ pool, task, outcome: failed ?? (signal?.aborted ? 'cancelled' : 'ok') })
  }
}
