// The one streaming interface every speech engine implements: text + voice spec in, PCM out.

export const FLITE_VOICES = ['slt', 'rms', 'awb', 'kal'] as const
export type FliteVoice = (typeof FLITE_VOICES)[number]

export interface StyleWeight {
  /** A Kokoro voice id such as "af_heart" (one of the 54 style-vector files in kokoro-js). */
  id: string
  weight: number
}

/**
 * A voice, independent of the engine that renders it. Every spec carries a mapping for each
 * engine so a voice designed while one engine was active still renders on the other.
 */
export interface VoiceSpec {
  v: 1
  flite: FliteVoice
  /** Weighted blend of Kokoro style vectors; weights sum to 1. */
  kokoro: StyleWeight[]
  /** Semitones relative to the engine voice's natural pitch. */
  pitch: number
  /** Speaking-rate multiplier of the voice itself (request `speed` multiplies on top). */
  rate: number
  /** Loudness and intonation range multiplier (1 = neutral). */
  energy: number
}

export interface WordTiming {
  text: string
  /** Milliseconds from the start of the chunk that carries this word. */
  beginMs: number
  endMs: number
}

export interface SynthesisInput {
  text: string
  voice: VoiceSpec
  /** Multiplier on the voice's rate (the API's `speed`, 0.5..2). */
  speed: number
  /** Compute word boundaries (costs an extra lexical pass on the embedded engine). */
  words: boolean
  /**
   * Streaming latency over prosody: render the first few words as a chunk of their own so the
   * first audio is ready sooner. Engines whose first chunk is already cheap may ignore it.
   */
  quickStart?: boolean
}

export interface PcmChunk {
  /** Mono float samples in [-1, 1] at the engine's sample rate. */
  samples: Float32Array
  /** The part of the input text this chunk renders. */
  text: string
  words: WordTiming[]
  /** Phone timings (pauses excluded), in the engine's phone set; cheap, so always filled. */
  phones: WordTiming[]
  /** True on the input's final chunk, so consumers need no lookahead (which would delay the first byte). */
  last: boolean
}

export type EngineName = 'flite' | 'kokoro' | 'fake'

export interface TtsEngine {
  readonly name: EngineName
  readonly sampleRate: number
  /** Creates sessions/instances once; later calls are no-ops. */
  load(): Promise<void>
  /**
   * Streams PCM chunks (roughly one clause each). Stops between chunks once `signal` aborts,
   * throwing the signal's reason, so a disconnected client stops synthesis.
   */
  synthesize(input: SynthesisInput, signal?: AbortSignal): AsyncIterable<PcmChunk>
  close(): Promise<void>
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x))
}
