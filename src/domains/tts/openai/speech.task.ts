// Worker-thread side of POST /v1/audio/speech: renders the plan like every TTS route, converts to
// OpenAI's 24 kHz when it asks for raw pcm, and emits the encoded file piece by piece (or as SSE
// events). Synthesis, resampling, encoding and base64 all stay off the event loop.
import type { Task } from '../../../shared/workers/worker-host.js'
import { streamFile } from '../tts.output.js'
import type { Plan } from '../tts.plan.js'
import { renderPlan, type RenderedChunk } from '../tts.render.js'
import type { SynthesisMessage, TtsResources } from '../tts.tasks.js'
import { createResampler } from './speech.resample.js'

export const SPEECH_TASK = 'tts.openai-speech'

export interface SpeechTaskInput {
  plan: Plan
  /** The encoded audio's rate: the engine's, or 24 kHz for OpenAI's headerless pcm. */
  outputRate: number
  sse: boolean
  /** Characters of input, reported as `usage` in the SSE done event. */
  inputChars: number
}

async function* atRate(chunks: AsyncIterable<RenderedChunk>, from: number, to: number) {
  const convert = createResampler(from, to)
  for await (const c of chunks) yield { ...c, samples: convert(c.samples) }
}

/** One server-sent event as OpenAI's speech streams send them. */
export function sseEvent(data: object): string {
  return `data: ${JSON.stringify(data)}\n\n`
}

const speech: Task<TtsResources> = async (input: SpeechTaskInput, ctx) => {
  const engine = await ctx.resources.tts.engine()
  const { plan, outputRate } = input
  const rendered = renderPlan(engine, plan, ctx.signal)
  const chunks = outputRate === plan.sampleRate ? rendered : atRate(rendered, plan.sampleRate, outputRate)
  for await (const piece of streamFile({ ...plan, sampleRate: outputRate }, chunks)) {
    if (!input.sse) {
      // A transferable copy: the encoder's pieces may share a pooled buffer.
      const own = piece.slice()
      ctx.emit({ bytes: own } satisfies SynthesisMessage, [own.buffer])
      continue
    }
    const audio = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength).toString('base64')
    ctx.emit({ text: sseEvent({ type: 'speech.audio.delta', audio }) } satisfies SynthesisMessage)
  }
  if (input.sse) {
    // No tokenizer here: usage counts input characters, so clients that sum usage still get a number.
    const usage = { input_tokens: input.inputChars, output_tokens: 0, total_tokens: input.inputChars }
    ctx.emit({ text: sseEvent({ type: 'speech.audio.done', usage }) } satisfies SynthesisMessage)
  }
}

export const openAiSpeechTasks = { [SPEECH_TASK]: speech }
