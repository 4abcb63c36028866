/**
 * Builds a chat's stages from the runtime's parts: the language model (llm/), speech recognition
 * (shared/asr), Silero turn detection and audio decoding (turns/), speech and prosody in worker
 * threads, webhooks. Interactive work (speech, prosody, the end-of-turn check) runs on the TTS pool,
 * whose threads outrank batch jobs, so a chat never waits behind an hour of batch video.
 */
import type { Logger } from 'pino'
import type { Config } from '../../../config.js'
import type { AsrProvider } from '../../../shared/asr/asr.js'
import { createAsrProvider, pocketsphinxAvailable } from '../../../shared/asr/index.js'
import { startPocketsphinxStream } from '../../../shared/asr/pocketsphinx-stream.js'
import { lazy } from '../../../shared/lazy.js'
import { safeFetch } from '../../../shared/net/safe-fetch.js'
import type { WorkerPool } from '../../../shared/workers/pool.js'
import { SileroVad } from '../../expression/prosody/vad.js'
import type { ReturnConfig } from '../configs.schemas.js'
import { chatEndedEvent, chatStartedEvent, toolCallEvent } from '../control/webhook-events.js'
import type { ChatWebhooks } from '../control/webhooks.js'
import type { ChatHistory } from '../history/history.types.js'
import { windowHistory } from '../llm/history-window.js'
import { resolveLanguageModel } from '../llm/llm.resolve.js'
import type { ChatConfigs, ChatDeps, ChatStages, ChatTimings, ChatWebhookEvents, SpeechVoices } from './chat.deps.js'
import type { SpokenChunk } from './chat.tasks.js'
import type { LiveChats } from './live-chats.js'
import { createAudioInput } from './turns/audio-input.js'
import { createTurnDetector } from './turns/turn-detector.js'
import { turnSettings } from './turns/turn-settings.js'

/** Characters of a web_search answer handed to the model. */
export const WEB_SEARCH_MAX_CHARS = 8_000

export interface ChatModuleDeps {
  config: Config
  log: Logger
  pools: { tts: WorkerPool; batch: WorkerPool }
  configs: ChatConfigs
  history: ChatHistory
  live: LiveChats
  voices: SpeechVoices
  webhooks?: ChatWebhooks
  timings?: Partial<ChatTimings>
  onTurnLatency?: ChatDeps['onTurnLatency']
}

export function createChatStages(d: ChatModuleDeps): ChatStages {
  const { config } = d
  const vad = lazy(() => SileroVad.load())
  const asr = lazy<AsrProvider | null>(() =>
    createAsrProvider({ ...config.media.asr, fetchAllowList: config.fetchAllowList }),
  )
  const interactive = d.pools.tts
  const search = config.evi.webSearchUrl
  return {
    languageModel: (spec, apiKey) =>
      resolveLanguageModel({ language_model: spec ?? undefined, language_model_api_key: apiKey } as never, {
        env: config.evi.providerEnv,
        evi: config.evi,
        fetchAllowList: config.fetchAllowList,
      }),
    historyWindow: (messages) =>
      windowHistory(messages, {
        maxMessages: config.limits.eviHistoryMessages,
        maxChars: config.limits.eviHistoryChars,
      }),
    asr,
    // pocketsphinx is what `auto` picks when no transcription URL is set; a remote recogniser is called per turn.
    liveAsr: async () => {
      const p = config.media.asr.provider
      if (p === 'openai' || p === 'none' || !(await pocketsphinxAvailable())) return undefined
      return startPocketsphinxStream({ onError: (err) => d.log.warn({ err }, 'evi chat: live transcription failed') })
    },
    turnSettings: (c) => turnSettings(c),
    turnDetector: async (settings) =>
      createTurnDetector(await vad(), settings, { maxTurnSeconds: config.limits.eviTurnSeconds }),
    audioInput: (format, handlers) => createAudioInput(format, { ...handlers, ffmpeg: config.media.ffmpeg }),
    endOfTurnLikely: (audio, transcript, signal) =>
      interactive.run<boolean>('evi.end_of_turn', { audio, transcript }, { signal }),
    speak: (input, signal) => interactive.stream<SpokenChunk>('evi.speak', input, { signal }),
    prosody: (pcm, sampleRate, signal) =>
      interactive.run<Record<string, number>>('evi.prosody', { pcm, sampleRate }, { signal }),
    ...(search && {
      webSearch: async (query: string, signal: AbortSignal) => {
        const url = new URL(search)
        url.searchParams.set('q', query)
        const res = await safeFetch(url.toString(), {
          allowList: config.fetchAllowList,
          maxBytes: 1024 * 1024,
          timeoutMs: 10_000,
          signal,
        })
        if (res.status >= 400) throw new Error(`the search provider answered ${res.status}`)
        return res.body.toString('utf8').slice(0, WEB_SEARCH_MAX_CHARS)
      },
    }),
  }
}

/** The chat's webhook moments as the control domain's events, sent to the config's webhook URLs. */
function webhookEvents(webhooks: ChatWebhooks): ChatWebhookEvents {
  const subs = (c: ReturnConfig | undefined) => c?.webhooks ?? []
  const base = (o: { chatId: string; chatGroupId: string; config?: ReturnConfig; customSessionId?: string }) => ({
    chatId: o.chatId,
    chatGroupId: o.chatGroupId,
    configId: o.config?.id,
    customSessionId: o.customSessionId,
  })
  const starts = new Map<string, number>()
  return {
    chatStarted: (o) => {
      starts.set(o.chatId, o.startTime)
      if (subs(o.config).length)
        void webhooks.notify(
          o.accountId,
          subs(o.config),
          chatStartedEvent({ ...base(o), startTime: o.startTime, resumed: o.resumed }),
        )
    },
    chatEnded: (o) => {
      const startTime = starts.get(o.chatId) ?? o.endTime - o.durationSeconds * 1000
      starts.delete(o.chatId)
      if (subs(o.config).length)
        void webhooks.notify(
          o.accountId,
          subs(o.config),
          chatEndedEvent({ ...base(o), startTime, endTime: o.endTime, endReason: o.status as never }),
        )
    },
    toolCall: (o) => {
      if (subs(o.config).length)
        void webhooks.notify(
          o.accountId,
          subs(o.config),
          toolCallEvent({ ...base(o), timestamp: Date.now(), toolCall: o.message as never }),
        )
    },
  }
}

export function createChatDeps(d: ChatModuleDeps): Omit<ChatDeps, 'log'> {
  const l = d.config.limits
  return {
    configs: d.configs,
    history: d.history,
    live: d.live,
    voices: d.voices,
    stages: createChatStages(d),
    webhooks: d.webhooks ? webhookEvents(d.webhooks) : undefined,
    evi: d.config.evi,
    limits: {
      eviChatsPerAccount: l.eviChatsPerAccount,
      eviChatSeconds: l.eviChatSeconds,
      eviEventsPerChat: l.eviEventsPerChat,
      eviHistoryMessages: l.eviHistoryMessages,
      eviHistoryChars: l.eviHistoryChars,
      eviInputChars: l.eviInputChars,
      jsonDepth: l.jsonDepth,
      wsBufferedBytes: l.wsBufferedBytes,
      wsIdleMs: l.wsIdleMs,
    },
    timings: { timeoutScale: d.timings?.timeoutScale ?? 1 },
    onTurnLatency: d.onTurnLatency,
  }
}
