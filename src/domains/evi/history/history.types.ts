/**
 * The contract between the chat socket (which writes history as a chat happens) and the history
 * domain (which stores it and serves `/v0/evi/chats` and `/v0/evi/chat_groups`). Timestamps are
 * Unix milliseconds; every method is scoped by account and answers NotFound for another's ids.
 */

export type ChatStatus =
  'ACTIVE' | 'USER_ENDED' | 'USER_TIMEOUT' | 'MAX_DURATION_TIMEOUT' | 'INACTIVITY_TIMEOUT' | 'ERROR'

export type ChatEventRole = 'USER' | 'AGENT' | 'SYSTEM' | 'TOOL'

export type ChatEventType =
  | 'AGENT_MESSAGE'
  | 'ASSISTANT_PROSODY'
  | 'CHAT_START_MESSAGE'
  | 'CHAT_END_MESSAGE'
  | 'FUNCTION_CALL'
  | 'FUNCTION_CALL_RESPONSE'
  | 'PAUSE_ONSET'
  | 'RESUME_ONSET'
  | 'SESSION_SETTINGS'
  | 'SYSTEM_PROMPT'
  | 'USER_INTERRUPTION'
  | 'USER_MESSAGE'
  | 'USER_RECORDING_START_MESSAGE'

export interface NewChatEvent {
  role: ChatEventRole
  type: ChatEventType
  /** Defaults to now. */
  timestamp?: number
  messageText?: string
  /** Emotion name → score (only names the model measures); stored and served as a JSON string. */
  emotionFeatures?: Record<string, number>
  /** Stored and served as a JSON string (per-turn latency figures live here, for one). */
  metadata?: Record<string, unknown>
  relatedEventId?: string
}

/**
 * An event as the history returns it, in the shape of Hume's ReturnChatEvent (snake_case on the wire).
 * Like Hume's, `message_text`, `emotion_features` and `metadata` come back as "" when the event has none.
 */
export interface StoredChatEvent {
  id: string
  chat_id: string
  timestamp: number
  role: ChatEventRole
  type: ChatEventType
  message_text?: string
  emotion_features?: string
  metadata?: string
  related_event_id?: string
}

export interface StartChat {
  accountId: string
  /** Resume this chat group (must belong to the account: else ChatGroupNotFoundError). */
  resumeChatGroupId?: string
  config?: { id: string; version: number }
  /** JSON-able; served as ReturnChat.metadata (a JSON string). */
  metadata?: Record<string, unknown>
  startTimestamp?: number
}

export class ChatGroupNotFoundError extends Error {
  constructor(readonly chatGroupId: string) {
    super(`chat group ${chatGroupId} not found`)
    this.name = 'ChatGroupNotFoundError'
  }
}

/** appendEvent / endChat on a chat that does not exist or belongs to another account. */
export class ChatNotFoundError extends Error {
  constructor(readonly chatId: string) {
    super(`chat ${chatId} not found`)
    this.name = 'ChatNotFoundError'
  }
}

/** Records both sides of a chat's audio while it runs, for the reconstruction job to mix afterwards. */
export interface ChatRecorder {
  /** User audio: 16 kHz mono samples in [-1, 1] that began `atMs` after the chat started. */
  user(samples: Float32Array, atMs: number): void
  /** Assistant audio at its engine's rate that began playing `atMs` after the chat started. */
  assistant(samples: Float32Array, sampleRate: number, atMs: number): void
  /** Flushes to the blob store; called once when the chat ends (before endChat). */
  close(): Promise<void>
}

export interface ChatHistory {
  startChat(o: StartChat): Promise<{ chatId: string; chatGroupId: string }>
  appendEvent(accountId: string, chatId: string, event: NewChatEvent): Promise<StoredChatEvent>
  /** Marks the chat ended and queues its audio reconstruction. */
  endChat(accountId: string, chatId: string, status: ChatStatus, endTimestamp?: number): Promise<void>
  /** The last `limit` events of a chat group, oldest first (context for a resumed chat). */
  groupEvents(accountId: string, chatGroupId: string, limit: number): Promise<StoredChatEvent[]>
  /** Whether another chat of this group is running now (Hume refuses two live chats in one group). */
  groupActive(accountId: string, chatGroupId: string): Promise<boolean>
  recorder(accountId: string, chatId: string): ChatRecorder
  /**
   * Ends, with status ERROR, every chat still ACTIVE that started before `startedBefore`: chats whose
   * process died mid-chat (no live chat runs longer than PROSODIA_EVI_MAX_CHAT_SECONDS). Returns how many.
   */
  endStaleChats(startedBefore: number): Promise<number>
  /** Every account's chats still ACTIVE that started before `startedBefore` (the cluster's orphan sweep). */
  activeChats(startedBefore: number): Promise<ActiveChat[]>
}

export interface ActiveChat {
  chatId: string
  accountId: string
  chatGroupId: string
}
