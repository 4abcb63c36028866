// A scripted OpenAI-compatible language model on 127.0.0.1 for the EVI chat benchmark, served from
// a worker thread (scripted-llm.worker.ts). It answers every request at once with the same reply and
// records, per request, which chat asked and its own time to first byte, so the benchmark can take
// the model's time out of the chat's latency. test/helpers/fake-llm.ts is the tests' richer fake (tool
// calls, errors, other dialects); this one only needs to be instant and to measure itself.
import type { Worker } from 'node:worker_threads'
import { firstMessage, startTsWorker } from './ts-worker.js'

export interface ScriptedLlmOptions {
  /** The reply's text chunks, streamed back to back. */
  reply: string[]
  /** A regular expression whose first group, found in the system message, names the chat. */
  tagPattern: string
}

export interface LlmRecord {
  tag: string
  /** Wall-clock ms (sub-ms precision) the request arrived and its first token was written. */
  arrivedAt: number
  firstByteAt: number
}

export interface ScriptedLlm {
  /** An OpenAI-compatible base URL (`…/v1`), for PROSODIA_LLM_URL. */
  baseURL: string
  /** Every request answered so far, in arrival order. */
  readonly records: LlmRecord[]
  close(): Promise<void>
}

export async function startScriptedLlm(opts: ScriptedLlmOptions): Promise<ScriptedLlm> {
  const worker: Worker = startTsWorker(new URL('./scripted-llm.worker.ts', import.meta.url), opts)
  const records: LlmRecord[] = []
  worker.on('message', (m: { type: string; record?: LlmRecord }) => {
    if (m.type === 'request' && m.record) records.push(m.record)
  })
  const { port } = await firstMessage<{ port: number }>(worker, 'ready')
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    records,
    close: async () => {
      const closed = firstMessage(worker, 'closed', 5_000).catch(() => undefined)
      worker.postMessage({ type: 'close' })
      await closed
      await worker.terminate()
    },
  }
}
