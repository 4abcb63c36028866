import type { TurnLatency } from './chat.core.js'
/**
 * Everything a chat needs, built once by the runtime (runtime.ts) and handed to the socket route:
 * each stage of the turn pipeline sits behind one of these interfaces, so the session itself only
 * orchestrates and tests can swap any stage for a fake.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { EviConfig, Limits } from '../../../config.js'
import type { AsrProvider } from '../../../shared/asr/asr.js'
import type { StreamingRecognizer } from '../../../shared/asr/pocketsphinx-stream.js'
import type { VoiceSpec } from '../../tts/engines/engine.js'
import type { ReturnConfig } from '../configs.schemas.js'
import type { ChatHistory } from '../history/history.types.js'
import type { LanguageModel, LlmMessage } from '../llm/llm.types.js'
import type { SpokenChunk } from './chat.tasks.js'
import type { LiveChats } from './live-chats.js'
import type { AudioInput, AudioInputFormat, TurnDetector, TurnSettings } from './turns/turns.types.js'

export interface ChatConfigs {
  /** The account's config (latest version when `version` is undefined); rejects when there is none. */
  get(accountId: string, id: string, version?: number): Promise<ReturnConfig>
}

export interface SpeechVoices {
  /** A config's voice, or a session's voice_id (an id or a name of any voice the account may use). */
  resolve(accountId: string, ref: { id?: string; name?: string; provider?: string }): Promise<VoiceSpec | undefined>
  readonly fallback: VoiceSpec
}

export interface LanguageModelSpec {
  model_provider?: string
  model_resource?: string
  temperature?: number
}

export interface ChatStages {
  /** Resolves the config's language model (throws LlmError when it cannot be used). */
  languageModel(spec: LanguageModelSpec | null | undefined, sessionApiKey: string | undefined): LanguageModel
  /** The bounded window of the conversation sent to the model (newest kept; a tool call stays with its result). */
  historyWindow(messages: LlmMessage[]): LlmMessage[]
  /** A live recogniser for one chat (local pocketsphinx), or undefined: turns are then transcribed one by one. */
  liveAsr?(): Promise<StreamingRecognizer | undefined>
  /** The speech recogniser, or null when the server has none. */
  asr(): Promise<AsrProvider | null>
  turnSettings(config: ReturnConfig | undefined): TurnSettings
  turnDetector(settings: TurnSettings): Promise<TurnDetector>
  audioInput(
    format: AudioInputFormat,
    handlers: { onPcm(pcm16k: Float32Array): void; onError(err: Error): void },
  ): AudioInput
  /** Whether the words and the pitch say the user has finished (in a worker thread). */
  endOfTurnLikely(audio16k: Float32Array, transcript: string, signal: AbortSignal): Promise<boolean>
  /** Speaks a text in the TTS threads: complete WAV chunks as they are rendered. */
  speak(
    input: { text: string; voice: VoiceSpec; speed: number; quickStart: boolean },
    signal: AbortSignal,
  ): AsyncIterable<SpokenChunk>
  /** Prosody scores of a stretch of speech, measured in the batch threads. */
  prosody(pcm: Float32Array, sampleRate: number, signal: AbortSignal): Promise<Record<string, number>>
  /** Results of the built-in web_search tool; undefined when no search provider is configured. */
  webSearch?: (query: string, signal: AbortSignal) => Promise<string>
}

export interface ChatWebhookEvents {
  chatStarted(o: {
    accountId: string
    config?: ReturnConfig
    chatId: string
    chatGroupId: string
    customSessionId?: string
    startTime: number
    resumed: boolean
  }): void
  chatEnded(o: {
    accountId: string
    config?: ReturnConfig
    chatId: string
    chatGroupId: string
    customSessionId?: string
    endTime: number
    durationSeconds: number
    status: string
  }): void
  toolCall(o: {
    accountId: string
    config?: ReturnConfig
    chatId: string
    chatGroupId: string
    customSessionId?: string
    message: Record<string, unknown>
  }): void
}

/** Session timings tests may shorten (the config's timeouts are at least 30 s). */
export interface ChatTimings {
  /** Multiplies the config's inactivity and max-duration timeouts. */
  timeoutScale: number
}

export interface ChatDeps {
  configs: ChatConfigs
  history: ChatHistory
  live: LiveChats
  voices: SpeechVoices
  stages: ChatStages
  webhooks?: ChatWebhookEvents
  evi: EviConfig
  limits: Pick<
    Limits,
    | 'eviChatsPerAccount'
    | 'eviChatSeconds'
    | 'eviEventsPerChat'
    | 'eviHistoryMessages'
    | 'eviHistoryChars'
    | 'eviInputChars'
    | 'jsonDepth'
    | 'wsBufferedBytes'
    | 'wsIdleMs'
  >
  timings: ChatTimings
  /** Each reply's stage latencies since the end of the user's speech (metrics), as the AGENT_MESSAGE records them. */
  onTurnLatency?: (latency: TurnLatency) => void
  log: FastifyBaseLogger
}
