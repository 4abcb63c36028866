// Main-thread side of TTS rendering: hands plans to the TTS worker pool and relays what comes back.
import type { WorkerPool } from '../../shared/workers/pool.js'
import type { EngineInfo } from './engines/engine-select.js'
import type { Plan } from './tts.plan.js'
import type { SynthesisMessage, SynthesisMode, SynthesizeInput } from './tts.tasks.js'

export class Synthesizer {
  constructor(
    private readonly pool: WorkerPool,
    readonly engine: EngineInfo,
  ) {}

  /** Every message of the render; leaving early or aborting stops the thread at its next chunk. */
  run(plan: Plan, mode: SynthesisMode, o: { requestId: string; signal: AbortSignal; binary?: boolean }) {
    const input: SynthesizeInput = { plan, mode, requestId: o.requestId, binary: o.binary }
    return this.pool.stream<SynthesisMessage>('tts.synthesize', input, { signal: o.signal })
  }

  /**
   * Another TTS-pool task's messages, for routes with their own output stage (the OpenAI-compatible
   * speech route); it renders on the same threads and engine, with the same abort semantics as run().
   */
  task<M>(name: string, input: unknown, signal: AbortSignal): AsyncIterable<M> {
    return this.pool.stream<M>(name, input, { signal })
  }

  /** The whole ReturnTts body, already serialised. */
  async json(plan: Plan, requestId: string, signal: AbortSignal): Promise<string> {
    for await (const m of this.run(plan, 'json', { requestId, signal })) if ('text' in m) return m.text
    throw new Error('the TTS worker sent no body')
  }

  async file(plan: Plan, signal: AbortSignal): Promise<Uint8Array> {
    for await (const m of this.run(plan, 'file', { requestId: '', signal })) if ('bytes' in m) return m.bytes
    throw new Error('the TTS worker sent no file')
  }

  async *streamFile(plan: Plan, signal: AbortSignal): AsyncGenerator<Buffer> {
    for await (const m of this.run(plan, 'stream-file', { requestId: '', signal }))
      if ('bytes' in m) yield Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength)
  }

  async *streamJson(plan: Plan, requestId: string, signal: AbortSignal): AsyncGenerator<string> {
    for await (const m of this.run(plan, 'stream-json', { requestId, signal })) if ('text' in m) yield m.text
  }
}
