// A TTS request resolved into what to render: voices chosen, text split, ids assigned. Plain
// data, so it crosses into the worker thread that renders it.
import type { AudioFormat } from './audio-encoding.js'
import type { VoiceSpec } from './engines/engine.js'

export interface PlannedUtterance {
  index: number
  snippets: { id: string; text: string }[]
  voice: VoiceSpec
  speed: number
  trailingSilence: number
}

export interface PlannedGeneration {
  id: string
  voice: VoiceSpec
  utterances: PlannedUtterance[]
}

export interface Plan {
  format: AudioFormat
  sampleRate: number
  engine: string
  stripHeaders: boolean
  /** Instant mode streams clause-sized chunks; otherwise one chunk per snippet. */
  instant: boolean
  timestampTypes: readonly ('word' | 'phoneme')[]
  generations: PlannedGeneration[]
}
