// A light request at a steady pace (GET /healthz, as the runtime benchmark uses) from a worker
// thread: its response time while the server works is how long the server's event loop keeps
// other requests waiting.
import { firstMessage, startTsWorker } from './ts-worker.js'

export interface ProbeOptions {
  url: string
  intervalMs: number
  headers?: Record<string, string>
}

export interface ProbeResult {
  /** Response times in ms, in order. */
  latencies: number[]
  failures: number
}

export interface Probe {
  stop(): Promise<ProbeResult>
}

export async function startProbe(opts: ProbeOptions): Promise<Probe> {
  const worker = startTsWorker(new URL('./http-probe.worker.ts', import.meta.url), opts)
  await firstMessage(worker, 'ready')
  return {
    stop: async () => {
      const result = firstMessage<ProbeResult & { type: string }>(worker, 'result', 20_000)
      worker.postMessage({ type: 'stop' })
      const { latencies, failures } = await result
      await worker.terminate()
      return { latencies, failures }
    },
  }
}
