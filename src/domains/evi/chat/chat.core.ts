/**
 * What the parts of one chat (listener, responder, session) share: its identity, the way to send
 * a server message, to record a history event and to report a coded error.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { NewChatEvent, StoredChatEvent } from '../history/history.types.js'
import type { ChatErrorSpec } from './chat.codes.js'
import type { Outgoing } from './chat.messages.js'

export interface ChatCore {
  readonly accountId: string
  readonly chatId: string
  readonly chatGroupId: string
  readonly log: FastifyBaseLogger
  /** Whether the chat has ended (nothing more is sent or recorded). */
  readonly ended: boolean
  /** Aborted when the chat ends: every stage's work stops with it. */
  readonly signal: AbortSignal
  send(message: Outgoing): void
  /** Records a history event; a storage failure is logged, not thrown (the conversation goes on). */
  record(event: NewChatEvent): Promise<StoredChatEvent | undefined>
  error(spec: ChatErrorSpec, message: string): void
  /** Milliseconds since the chat started. */
  now(): number
}

/** Per-turn latency marks, wall-clock ms (Date.now()). */
export interface TurnLatency {
  endOfSpeech: number
  transcript?: number
  firstToken?: number
  firstAudio?: number
  early?: boolean
}

export function latencyFigures(l: TurnLatency): Record<string, number | boolean> {
  const since = (t: number | undefined) => (t === undefined ? undefined : Math.max(0, Math.round(t - l.endOfSpeech)))
  const out: Record<string, number | boolean> = {}
  const t = since(l.transcript)
  const f = since(l.firstToken)
  const a = since(l.firstAudio)
  if (t !== undefined) out.end_of_speech_to_transcript_ms = t
  if (f !== undefined) out.end_of_speech_to_first_token_ms = f
  if (a !== undefined) out.end_of_speech_to_first_audio_ms = a
  if (l.early !== undefined) out.early_end_of_turn = l.early
  return out
}
