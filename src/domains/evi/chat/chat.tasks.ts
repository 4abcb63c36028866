// Worker-thread side of an EVI chat: speaking a sentence (synthesis, WAV encoding, base64) on the
// TTS pool, and measuring prosody (feature extraction, classifier) on the batch pool. The event
// loop only relays what comes back.
import { loadProsodyModel } from '../../expression/prosody/prosody-model.js'
import { resample, TARGET_RATE } from '../../expression/prosody/resample.js'
import { toPcm16, wavHeader } from '../../tts/audio-encoding.js'
import type { VoiceSpec } from '../../tts/engines/engine.js'
import type { TtsResources } from '../../tts/tts.tasks.js'
import type { Task } from '../../../shared/workers/worker-host.js'

export interface SpeakInput {
  text: string
  voice: VoiceSpec
  speed: number
  /** Render the first words as their own chunk (the start of a response). */
  quickStart: boolean
}

/** One complete WAV file (base64, as audio_output carries it) and its samples for the recording. */
export interface SpokenChunk {
  wav: string
  pcm: Float32Array
  sampleRate: number
}

const speak: Task<TtsResources> = async (input: SpeakInput, ctx) => {
  const engine = await ctx.resources.tts.engine()
  const chunks = engine.synthesize(
    { text: input.text, voice: input.voice, speed: input.speed, words: false, quickStart: input.quickStart },
    ctx.signal,
  )
  for await (const c of chunks) {
    if (c.samples.length === 0) continue
    const pcm16 = toPcm16(c.samples)
    const header = wavHeader(engine.sampleRate, pcm16.byteLength)
    const wav = Buffer.concat([header, pcm16]).toString('base64')
    const pcm = c.samples.slice()
    ctx.emit({ wav, pcm, sampleRate: engine.sampleRate } satisfies SpokenChunk, [pcm.buffer])
  }
}

export interface ProsodyInput {
  pcm: Float32Array
  sampleRate: number
}

/** Hume emotion name → score, only the names the model measures. */
const prosody: Task<unknown> = async (input: ProsodyInput) => {
  const pcm = input.sampleRate === TARGET_RATE ? input.pcm : resample(input.pcm, input.sampleRate, TARGET_RATE)
  return Object.fromEntries(
    loadProsodyModel()
      .predict(pcm)
      .map((s) => [s.name, s.score]),
  )
}

export const chatTasks = { 'evi.speak': speak, 'evi.prosody': prosody }
