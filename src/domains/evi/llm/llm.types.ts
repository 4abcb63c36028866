/**
 * The language model stage of an EVI chat: a conversation in, a stream of text deltas and tool
 * calls out. Implementations: the Vercel AI SDK providers and Hume's custom-language-model (CLM)
 * protocol. Every URL they call passes the SSRF guard.
 */

export type LlmMessage =
  | {
      role: 'user'
      content: string
      /**
       * The turn's prosody scores (emotion name → 0..1). Custom language models receive them as
       * `models.prosody.scores`, as Hume sends them; other models get the strongest three as words.
       */
      prosody?: Record<string, number>
      /** When the user spoke, ms from the start of the chat (sent to custom language models as `time`). */
      time?: { begin: number; end: number }
    }
  | { role: 'assistant'; content: string; toolCalls?: LlmToolCall[] }
  | { role: 'tool'; toolCallId: string; toolName: string; content: string; isError?: boolean }

export interface LlmToolCall {
  id: string
  name: string
  /** The arguments as a JSON string, as the model produced them. */
  arguments: string
}

export interface LlmTool {
  name: string
  description?: string
  /** A JSON Schema object (Hume tools carry it as a string; parsed by the caller). */
  parameters: Record<string, unknown>
}

export interface LlmRequest {
  system: string
  messages: LlmMessage[]
  tools: LlmTool[]
  temperature?: number
  /** Passed along to custom language models (Hume's CLM protocol). */
  customSessionId?: string
  chatId?: string
  chatGroupId?: string
  signal: AbortSignal
}

export type LlmEvent =
  { type: 'text'; delta: string } | { type: 'tool_call'; call: LlmToolCall } | { type: 'finish'; reason: string }

export interface LanguageModel {
  /** A label for logs and chat metadata, e.g. "openai-compatible:llama3.2". */
  readonly label: string
  stream(req: LlmRequest): AsyncIterable<LlmEvent>
}

/** A model that cannot be reached or refused: becomes an `error` message; the socket stays usable. */
export class LlmError extends Error {
  constructor(
    /** Hume-style code, e.g. "E0710". */
    readonly code: string,
    /** Short snake_case identifier, e.g. "language_model_unavailable". */
    readonly slug: string,
    message: string,
  ) {
    super(message)
    this.name = 'LlmError'
  }
}
