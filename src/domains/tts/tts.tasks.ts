// Worker-thread side of TTS: render a plan with this thread's engine and encode it for the
// caller's route, streaming each piece back as soon as it exists. Everything CPU-heavy of a TTS
// request (synthesis, resampling, MP3/WAV encoding, base64, JSON) happens here.
import type { Task } from '../../shared/workers/worker-host.js'
import { createStreamEncoder } from './audio-encoding.js'
import type { TtsEngine } from './engines/engine.js'
import { createEngine, type EngineChoice } from './engines/engine-select.js'
import { collectFile, collectReturnTts, streamFile, streamTtsOutput } from './tts.output.js'
import type { Plan } from './tts.plan.js'
import { renderPlan } from './tts.render.js'

/** How the caller's route wants the audio: one JSON body, one file, or pieces as they come. */
export type SynthesisMode = 'json' | 'file' | 'stream-file' | 'stream-json' | 'socket'

export interface SynthesizeInput {
  plan: Plan
  mode: SynthesisMode
  requestId: string
  /** Socket mode: also send each audio chunk as a binary frame. */
  binary?: boolean
}

/** A JSON document, NDJSON line or socket text frame; or audio bytes (a file piece or binary frame). */
export type SynthesisMessage = { text: string } | { bytes: Uint8Array }

export interface TtsResources {
  tts: { engine(): Promise<TtsEngine> }
}

/** One engine per thread, loaded on the thread's first TTS task. */
export function ttsResources(choice: EngineChoice | (() => Promise<TtsEngine>)): TtsResources['tts'] {
  let engine: Promise<TtsEngine> | undefined
  const make = typeof choice === 'function' ? choice : () => createEngine(choice)
  return {
    engine: () => {
      engine ??= make()
      // A failed load (e.g. a broken model file) is retried by the next task, not cached.
      engine.catch(() => (engine = undefined))
      return engine
    },
  }
}

/** Bytes that can be transferred: their own whole ArrayBuffer (pooled Buffers share theirs). */
function own(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
  return whole && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice()
}

const synthesize: Task<TtsResources> = async (input: SynthesizeInput, ctx) => {
  const engine = await ctx.resources.tts.engine()
  const { plan, mode, requestId } = input
  const chunks = renderPlan(engine, plan, ctx.signal)
  const bytes = (b: Uint8Array) => {
    const o = own(b)
    ctx.emit({ bytes: o } satisfies SynthesisMessage, [o.buffer as ArrayBuffer])
  }
  const text = (t: string) => ctx.emit({ text: t } satisfies SynthesisMessage)
  switch (mode) {
    case 'json':
      return text(JSON.stringify(await collectReturnTts(plan, chunks, requestId)))
    case 'file':
      return bytes(await collectFile(plan, chunks))
    case 'stream-file':
      for await (const b of streamFile(plan, chunks)) bytes(b)
      return
    case 'stream-json':
      for await (const m of streamTtsOutput(plan, chunks, requestId)) text(`${JSON.stringify(m)}\n`)
      return
    case 'socket':
      for await (const m of streamTtsOutput(plan, chunks, requestId)) {
        text(JSON.stringify(m))
        if (input.binary && m.type === 'audio') bytes(Buffer.from(m.audio, 'base64'))
      }
      return
  }
}

/** Loads this thread's engine and MP3 encoder ahead of the first request (both compile wasm on first use). */
const warm: Task<TtsResources> = async (_input: unknown, ctx) => {
  const engine = await ctx.resources.tts.engine()
  const mp3 = await createStreamEncoder('mp3', engine.sampleRate)
  mp3.end()
}

export const ttsTasks = { 'tts.synthesize': synthesize, 'tts.warm': warm }
