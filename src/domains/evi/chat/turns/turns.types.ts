/**
 * The audio-in half of an EVI chat: client audio (linear16 at the session's rate and channels, or
 * browser MediaRecorder WebM/Opus) decoded to 16 kHz mono, and turn detection on it (Silero VAD
 * with the config's turn_detection and interruption settings, plus an early end of turn when the
 * words and the pitch say the user has finished).
 */

/** What the session settings say about the client's audio; `undefined` fields: detect from the bytes. */
export interface AudioInputFormat {
  encoding?: 'linear16'
  sampleRate?: number
  channels?: number
}

export interface AudioInput {
  /** One `audio_input` message's decoded bytes. Throws AudioInputError on input it cannot take. */
  write(bytes: Uint8Array): void
  /** The format changed mid-chat (session_settings.audio). */
  reformat(format: AudioInputFormat): void
  close(): void
}

/**
 * Why client audio was refused. Slugs: `invalid_audio_format` (impossible session_settings.audio),
 * `unsupported_audio_format` (a WAV that is not PCM or float), `invalid_wav` (a broken WAV header),
 * `audio_decode_failed` (a container stream that does not decode), `audio_backlog` (more undecoded
 * audio waiting than the limit), `no_ffmpeg` (a container only ffmpeg reads, and no ffmpeg),
 * `audio_decoder_unavailable` (a decoder failed to start). The message is safe to show the client.
 */
export class AudioInputError extends Error {
  constructor(
    readonly slug: string,
    message: string,
  ) {
    super(message)
    this.name = 'AudioInputError'
  }
}

/** The config's `turn_detection` and `interruption` with Hume's defaults filled in. */
export interface TurnSettings {
  endOfTurnSilenceMs: number
  prefixPaddingMs: number
  speechDetectionThreshold: number
  minInterruptionMs: number
}

export type TurnEvent =
  /** Speech began at `atMs` (ms of 16 kHz audio since the detector started). */
  | { type: 'speech_start'; atMs: number }
  /** The user has spoken for `min_interruption_ms` in this turn: the session barges in if the assistant is talking. */
  | { type: 'sustained_speech'; atMs: number }
  /**
   * A short silence: a candidate end of turn. `audio` is the turn so far (with prefix padding); the
   * session may transcribe it and call `endNow()` if `endOfTurnLikely` says the user has finished.
   */
  | { type: 'pause'; atMs: number; beginMs: number; audio: Float32Array }
  /** Speech resumed after a `pause`: a speculative transcript of it is stale. */
  | { type: 'resume'; atMs: number }
  /** The turn is over: its audio (with prefix padding), where it began and ended. */
  | { type: 'end'; beginMs: number; endMs: number; audio: Float32Array; early: boolean }

export interface TurnDetector {
  /** Feeds 16 kHz mono samples; resolves with the events they caused, in order. */
  push(pcm16k: Float32Array): Promise<TurnEvent[]>
  /** Ends the current turn now (after a `pause` judged final); undefined when no turn is open. */
  endNow(): Extract<TurnEvent, { type: 'end' }> | undefined
  /** Ms of audio seen so far. */
  readonly positionMs: number
  close(): Promise<void>
}
