// Renders a plan with an engine: PCM chunks with their place in the plan and their timestamps.
// Runs where the engine lives: inside a worker thread of the TTS pool (see tts.tasks.ts).
import { concatSamples } from './audio-encoding.js'
import type { TtsEngine, WordTiming } from './engines/engine.js'
import type { Plan, PlannedGeneration, PlannedUtterance } from './tts.plan.js'
import type { Timestamp } from './tts.schemas.js'

export interface RenderedChunk {
  generation: PlannedGeneration
  utterance: PlannedUtterance
  snippet: { id: string; text: string }
  chunkIndex: number
  isLastChunk: boolean
  isLastOfGeneration: boolean
  samples: Float32Array
  /** Milliseconds from the start of the generation's audio. */
  timestamps: Timestamp[]
}

function stamps(plan: Plan, words: WordTiming[], phones: WordTiming[], offsetMs: number): Timestamp[] {
  const at =
    (type: 'word' | 'phoneme') =>
    (w: WordTiming): Timestamp => ({
      text: w.text,
      time: { begin: Math.round(offsetMs + w.beginMs), end: Math.round(offsetMs + w.endMs) },
      type,
    })
  return [
    ...(plan.timestampTypes.includes('word') ? words.map(at('word')) : []),
    ...(plan.timestampTypes.includes('phoneme') ? phones.map(at('phoneme')) : []),
  ]
}

/** Renders every generation in order; stops at the next chunk boundary once `signal` aborts. */
export async function* renderPlan(engine: TtsEngine, plan: Plan, signal: AbortSignal): AsyncGenerator<RenderedChunk> {
  const sr = plan.sampleRate
  const words = plan.timestampTypes.includes('word')
  // Only the response's very first chunk decides the first byte; later ones keep whole clauses.
  let quickStart = plan.instant
  for (const generation of plan.generations) {
    let elapsedMs = 0
    const lastU = generation.utterances.length - 1
    for (const utterance of generation.utterances) {
      const lastS = utterance.snippets.length - 1
      for (const [s, snippet] of utterance.snippets.entries()) {
        const isLastSnippetOfUtterance = s === lastS
        const isLastOfGeneration = isLastSnippetOfUtterance && utterance.index === lastU
        const chunks = engine.synthesize(
          { text: snippet.text, voice: utterance.voice, speed: utterance.speed, words, quickStart },
          signal,
        )
        quickStart = false
        // Instant mode forwards each engine chunk; otherwise the snippet becomes a single chunk.
        const pending: { samples: Float32Array; stamps: Timestamp[] }[] = []
        let chunkIndex = 0
        const emit = (isLast: boolean): RenderedChunk => {
          const parts = pending.splice(0)
          const silence = isLast && isLastSnippetOfUtterance ? Math.round(utterance.trailingSilence * sr) : 0
          return {
            generation,
            utterance,
            snippet,
            chunkIndex: chunkIndex++,
            isLastChunk: isLast,
            isLastOfGeneration: isLast && isLastOfGeneration,
            samples: concatSamples(
              parts.map((p) => p.samples),
              silence,
            ),
            timestamps: parts.flatMap((p) => p.stamps),
          }
        }
        let done = false
        for await (const c of chunks) {
          const chunkStamps = stamps(plan, c.words, c.phones, elapsedMs)
          elapsedMs += (c.samples.length / sr) * 1000
          pending.push({ samples: c.samples, stamps: chunkStamps })
          if (c.last) done = true
          if (plan.instant || c.last) yield emit(c.last)
        }
        // An engine that ended without flagging its last chunk still closes the snippet.
        if (!done) yield emit(true)
        if (isLastSnippetOfUtterance) elapsedMs += utterance.trailingSilence * 1000
      }
    }
  }
}
