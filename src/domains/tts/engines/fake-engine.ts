// A deterministic engine for tests: one clause per chunk, 100 ms of a quiet tone per word, even
// word timings. `gate` (shared memory, so it works inside pool threads) holds chunk i (i >= 1)
// until the test opens it to i, or the request is cancelled: a test can stop synthesis at a known
// point and see that cancellation, not completion, ended it. `rendered` counts chunks made.
import type { PcmChunk, SynthesisInput, TtsEngine } from './engine.js'
import { threadId } from 'node:worker_threads'
import { splitChunks, wordTokens } from './text.js'

export interface FakeEngineChoice {
  name: 'fake'
  /** Int32Array over a SharedArrayBuffer: [0] = chunks allowed; absent means no gating. */
  gate?: SharedArrayBuffer
  /**
   * Int32Array over a SharedArrayBuffer: [0] = chunks rendered, [1] = renders finished (any way),
   * [2] = the threadId of the thread that rendered last (0 is the main thread).
   */
  stats?: SharedArrayBuffer
}

const SAMPLE_RATE = 16000
// Node 20 has Atomics.waitAsync; the ES2022 lib this project compiles against does not declare it.
type WaitAsync = (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<unknown> | string }
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync
const WORD_MS = 100

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return
    if (signal.aborted) return resolve()
    signal.addEventListener('abort', () => resolve(), { once: true })
  })
}

export class FakeEngine implements TtsEngine {
  readonly name = 'fake' as const
  readonly sampleRate = SAMPLE_RATE
  private readonly gate: Int32Array | undefined
  private readonly stats: Int32Array | undefined

  constructor(choice: FakeEngineChoice = { name: 'fake' }) {
    this.gate = choice.gate ? new Int32Array(choice.gate) : undefined
    this.stats = choice.stats ? new Int32Array(choice.stats) : undefined
  }

  async load(): Promise<void> {}
  async close(): Promise<void> {}

  private async pass(i: number, signal: AbortSignal | undefined): Promise<void> {
    const gate = this.gate
    while (gate && Atomics.load(gate, 0) < i && !signal?.aborted) {
      const wait = waitAsync(gate, 0, Atomics.load(gate, 0))
      await Promise.race([wait.async ? wait.value : Promise.resolve(), aborted(signal)])
    }
    signal?.throwIfAborted()
  }

  async *synthesize(input: SynthesisInput, signal?: AbortSignal): AsyncIterable<PcmChunk> {
    try {
      const chunks = splitChunks(input.text)
      for (const [i, text] of chunks.entries()) {
        await this.pass(i, signal)
        const words = wordTokens(text)
        const wordSamples = Math.round(((WORD_MS / input.speed) * SAMPLE_RATE) / 1000)
        const samples = new Float32Array(Math.max(1, words.length) * wordSamples)
        for (let s = 0; s < samples.length; s++) samples[s] = 0.1 * Math.sin((2 * Math.PI * 220 * s) / SAMPLE_RATE)
        const ms = (n: number) => Math.round((n * wordSamples * 1000) / SAMPLE_RATE)
        const timings = words.map((w, k) => ({ text: w, beginMs: ms(k), endMs: ms(k + 1) }))
        if (this.stats) {
          Atomics.add(this.stats, 0, 1)
          if (this.stats.length > 2) Atomics.store(this.stats, 2, threadId)
        }
        yield { samples, text, words: input.words ? timings : [], phones: timings, last: i === chunks.length - 1 }
      }
    } finally {
      if (this.stats) {
        Atomics.add(this.stats, 1, 1)
        Atomics.notify(this.stats, 1)
      }
    }
  }
}
