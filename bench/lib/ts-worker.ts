// Starts a TypeScript module in a worker thread of the benchmark process. Node 20 does not apply
// the parent's tsx loader to worker threads (see src/shared/workers/boot.mjs), so a tiny bootstrap
// registers tsx inside the thread first and then imports the module.
import { Worker } from 'node:worker_threads'

const TSX_API = import.meta.resolve('tsx/esm/api')

export function startTsWorker(entry: URL, workerData: unknown): Worker {
  const boot = [
    `import(${JSON.stringify(TSX_API)})`,
    '.then((tsx) => { tsx.register(); return import(' + JSON.stringify(entry.href) + ') })',
    '.catch((err) => { setImmediate(() => { throw err }) })',
  ].join('')
  return new Worker(boot, { eval: true, workerData })
}

/** Waits for the worker's first message of this type (its "ready" report). */
export function firstMessage<T>(worker: Worker, type: string, timeoutMs = 15_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker sent no ${type} within ${timeoutMs} ms`)), timeoutMs)
    const onMessage = (m: { type?: string }) => {
      if (m?.type !== type) return
      clearTimeout(timer)
      worker.off('message', onMessage)
      worker.off('error', onError)
      resolve(m as T)
    }
    const onError = (err: Error) => {
      clearTimeout(timer)
      reject(err)
    }
    worker.on('message', onMessage)
    worker.once('error', onError)
  })
}
