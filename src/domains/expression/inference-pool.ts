/**
 * Model inference off the event loop: a pool of worker threads (one per core
 * by default), each holding its own copy of the ~3 MB model. Where worker
 * threads cannot load our TypeScript (e.g. inside vitest's transformer), or
 * when `threads` is 0, inference runs in-process instead.
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
  busy: number
}

export interface InferencePool {
  readonly threads: number
  predict(text: string, sel: ModelSelection): Promise<Result>
  close(): Promise<void>
}

/** Can a worker thread load this module's sibling? True for compiled JS and for tsx. */
function workersUsable(): boolean {
  if (!import.meta.url.endsWith('.ts')) return true
  return process.execArgv.some((a) => a.includes('tsx')) || process.env.NODE_OPTIONS?.includes('tsx') === true
}

export function createInferencePool(log: Logger, threads = availableParallelism()): InferencePool {
  if (threads <= 0 || !workersUsable()) {
    const model = loadLanguageModel()
    log.info({ threads: 0 }, 'expression inference runs in-process')
    return {
      threads: 0,
      predict: async (text, sel) => predictText(model, text, sel),
      close: async () => {},
    }
  }
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
  const file = new URL(`./inference.worker${ext}`, import.meta.url)
  const pending = new Map<number, Pending>()
  let next = 0
  const slots: Slot[] = Array.from({ length: threads }, () => {
    const worker = new Worker(file, { execArgv: process.execArgv })
    worker.unref()
    worker.on('message', (m: { id: number; result?: Result; error?: string }) => {
      const p = pending.get(m.id)
      if (!p) return
      pending.delete(m.id)
      const slot = slots.find((s) => s.worker === worker)
      if (slot) slot.busy--
      if (m.error !== undefined) p.reject(new Error(m.error))
      else p.resolve(m.result ?? {})
    })
    worker.on('error', (err) => log.error({ err }, 'inference worker crashed'))
    return { worker, busy: 0 }
  })
  log.info({ threads }, 'expression inference worker threads started')
  return {
    threads,
    predict(text, sel) {
      const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a))
      const id = next++
      slot.busy++
      return new Promise<Result>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        slot.worker.postMessage({ id, text, sel })
      })
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()))
      for (const p of pending.values()) p.reject(new Error('inference pool closed'))
      pending.clear()
    },
  }
}
