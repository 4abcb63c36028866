/**
 * The `error` messages of the chat socket: a Hume-style code ("E07xx" for EVI chat errors, "I07xx"
 * for server-side failures; the language model's are in llm/llm.errors.ts, E0705 and E0710–E0722,
 * and the control plane's E0725), a snake_case slug and a sentence. Most leave the socket open; those
 * marked fatal close the chat (with code 1000, so the SDK does not reconnect into the same error).
 */

export interface ChatErrorSpec {
  code: string
  slug: string
  /** Ends the chat after the message is sent. */
  fatal?: boolean
}

export const CHAT_ERRORS = {
  invalidJson: { code: 'E0100', slug: 'invalid_json' },
  invalidMessage: { code: 'E0101', slug: 'invalid_message' },
  unknownMessageType: { code: 'E0102', slug: 'unknown_message_type' },
  invalidQuery: { code: 'E0700', slug: 'invalid_query_parameters', fatal: true },
  configNotFound: { code: 'E0701', slug: 'config_not_found', fatal: true },
  chatGroupNotFound: { code: 'E0702', slug: 'chat_group_not_found', fatal: true },
  chatGroupActive: { code: 'E0703', slug: 'chat_group_already_active', fatal: true },
  tooManyChats: { code: 'E0704', slug: 'too_many_active_chats', fatal: true },
  voiceNotFound: { code: 'E0724', slug: 'voice_not_found' },
  badAudio: { code: 'E0706', slug: 'invalid_audio' },
  textTooLong: { code: 'E0707', slug: 'text_too_long' },
  unknownToolCall: { code: 'E0708', slug: 'unknown_tool_call_id' },
  badTool: { code: 'E0709', slug: 'invalid_tool_definition' },
  transcriptionFailed: { code: 'E0711', slug: 'transcription_failed' },
  speechFailed: { code: 'I0712', slug: 'speech_synthesis_failed' },
  serverBusy: { code: 'I0713', slug: 'server_busy' },
  internal: { code: 'I0700', slug: 'internal_error' },
} as const satisfies Record<string, ChatErrorSpec>

export class ChatError extends Error {
  constructor(
    readonly spec: ChatErrorSpec,
    message: string,
  ) {
    super(message)
    this.name = 'ChatError'
  }
}
