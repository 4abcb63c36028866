/**
 * Model inference off the event loop: a pool of worker threads (one per core
 * by default), each holding its own copy of the ~3 MB model. Threads start on
 * the first prediction, so an app that never runs a job pays nothing. When
 * `threads` is 0, or a worker cannot load our TypeScript (e.g. inside vitest's
 * transformer), inference runs in-process instead.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import { loadLanguageModel } from './language/model-path.js'
import { predictText, type ModelSelection } from './batch.predict.js'
import type { InferencePrediction } from './batch.schemas.js'

type Result = InferencePrediction['models']

interface Pending {
  resolve: (r: Result) => void
  reject: (e: Error) => void
}

interface Slot {
  worker: Worker
  pending: Map<number, Pending>
  /** Whether this worker ever answered (it loaded the model and runs). */
  answered: boolean
}

export interface InferencePool {
  readonly threads: number
  predict(text: string, sel: ModelSelection): Promise<Result>
  close(): Promise<void>
}

/**
 * The worker's entry file: the compiled worker, or under tsx a small .mjs that registers tsx inside the
 * thread first. (Under vitest, whose module runner cannot serve a thread, callers ask for 0 threads.)
 */
function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./inference.worker.js', import.meta.url)
  return new URL('./inference-worker-boot.mjs', import.meta.url)
}

function inProcess(log: Logger): InferencePool {
  log.info({ threads: 0 }, 'expression inference runs in-process')
  return {
    threads: 0,
    predict: async (text, sel) => predictText(loadLanguageModel(), text, sel),
    close: async () => {},
  }
}

export function createInferencePool(log: Logger, threads = availableParallelism()): InferencePool {
  if (threads <= 0) return inProcess(log)
  const file = workerEntry()
  const slots: Slot[] = []
  let next = 0
  let closed = false
  // Workers that die before answering anything (broken install, bad loader) must not respawn forever.
  let failedStarts = 0
  let fallback: InferencePool | undefined

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(file), pending: new Map(), answered: false }
    slot.worker.unref()
    slot.worker.on('message', (m: { id: number; result?: Result; error?: string }) => {
      slot.answered = true
      failedStarts = 0
      const p = slot.pending.get(m.id)
      if (!p) return
      slot.pending.delete(m.id)
      if (m.error !== undefined) p.reject(new Error(m.error))
      else p.resolve(m.result ?? {})
    })
    slot.worker.on('error', (err) => log.error({ err }, 'inference worker crashed'))
    // A dead worker must not strand its callers: fail what it held and replace it.
    slot.worker.on('exit', (code) => {
      for (const p of slot.pending.values()) p.reject(new Error(`inference worker exited with code ${code}`))
      slot.pending.clear()
      if (!slot.answered && ++failedStarts >= 3 && !fallback) {
        log.error('inference worker threads keep failing to start; running inference in-process')
        fallback = inProcess(log)
      }
      const i = slots.indexOf(slot)
      if (i >= 0 && !closed && !fallback) slots[i] = spawn()
    })
    return slot
  }

  return {
    threads,
    predict(text, sel) {
      if (closed) return Promise.reject(new Error('inference pool closed'))
      if (fallback) return fallback.predict(text, sel)
      if (slots.length === 0) {
        for (let i = 0; i < threads; i++) slots.push(spawn())
        log.info({ threads }, 'expression inference worker threads started')
      }
      const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a))
      const id = next++
      return new Promise<Result>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject })
        slot.worker.postMessage({ id, text, sel })
      })
    },
    async close() {
      closed = true
      await Promise.all(slots.map((s) => s.worker.terminate()))
    },
  }
}
