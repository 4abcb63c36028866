/**
 * Speech-to-text providers behind one interface, shared by expression measurement (transcripts
 * feed `language` and `ner` with time positions) and, later, the EVI chat. Audio always arrives
 * as 16 kHz mono float PCM: every caller already decodes to that for prosody and VAD.
 */

export interface TranscriptWord {
  text: string
  /** Seconds from the start of the audio. */
  begin: number
  end: number
  /** 0..1, or null when the provider gives none. */
  confidence: number | null
  /** A provider-specific speaker label, or null when the provider does not diarize. */
  speaker: string | null
}

export interface Transcript {
  text: string
  /** BCP-47-ish language code as the provider reports it ("en"), or null when unknown. */
  language: string | null
  /** Whole-utterance confidence 0..1, or null. */
  confidence: number | null
  words: TranscriptWord[]
}

export interface AsrCapabilities {
  /** Language codes the provider accepts in `opts.language`, or 'any'. */
  languages: string[] | 'any'
  /** Whether words carry speaker labels. */
  speakers: boolean
  /** Whether words carry a confidence. */
  wordConfidence: boolean
}

export interface TranscribeOptions {
  /** Expected language (ISO 639-1); providers refuse languages they cannot handle with AsrError 'language'. */
  language?: string
  signal?: AbortSignal
}

export interface AsrProvider {
  readonly name: string
  readonly capabilities: AsrCapabilities
  transcribe(pcm16k: Float32Array, opts: TranscribeOptions): Promise<Transcript>
}

export type AsrFailure = 'language' | 'unavailable' | 'aborted' | 'timeout' | 'upstream' | 'bad_response' | 'failed'

/**
 * Why a transcription failed. Lives in shared/ (which cannot import domain errors), so callers map
 * it to their own per-file error; `message` is safe to show to the API user.
 */
export class AsrError extends Error {
  constructor(
    readonly reason: AsrFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'AsrError'
  }
}

export const ASR_SAMPLE_RATE = 16_000

/** Base language of a tag: "en-US" → "en". */
export function baseLanguage(tag: string): string {
  return tag.trim().toLowerCase().split(/[-_]/)[0] ?? ''
}
