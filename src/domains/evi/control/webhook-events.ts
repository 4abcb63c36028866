/**
 * EVI webhook payloads (chatWebhooks.yml), in the shapes of hume@0.16.0's WebhookEventChatStarted,
 * WebhookEventChatEnded and WebhookEventToolCall. The chat session builds them with these functions
 * and hands them to ChatWebhooks.notify. Optional fields are left out rather than sent as null.
 */

export type WebhookEventName = 'chat_started' | 'chat_ended' | 'tool_call'

/** WebhookEventChatStatus: why a chat ended. */
export type WebhookEndReason =
  'ACTIVE' | 'USER_ENDED' | 'USER_TIMEOUT' | 'INACTIVITY_TIMEOUT' | 'MAX_DURATION_TIMEOUT' | 'SILENCE_TIMEOUT' | 'ERROR'

export interface WebhookEvent {
  event_name: WebhookEventName
  chat_id: string
  chat_group_id: string
  [field: string]: unknown
}

/** What every event says about its chat (WebhookEventBase, plus the session's id when it has one). */
export interface WebhookChat {
  chatId: string
  chatGroupId: string
  configId?: string
  customSessionId?: string
}

/** The tool call as the chat sent it to its client (a `tool_call` server message). */
export interface WebhookToolCall {
  name: string
  parameters: string
  tool_call_id: string
  tool_type: 'builtin' | 'function'
  response_required: boolean
}

function base(name: WebhookEventName, c: WebhookChat): WebhookEvent {
  return {
    event_name: name,
    chat_id: c.chatId,
    chat_group_id: c.chatGroupId,
    ...(c.configId ? { config_id: c.configId } : {}),
    ...(c.customSessionId ? { custom_session_id: c.customSessionId } : {}),
  }
}

/** Sent when a chat starts, new or resuming a chat group. Times are Unix milliseconds. */
export function chatStartedEvent(c: WebhookChat & { startTime: number; resumed: boolean }): WebhookEvent {
  return {
    ...base('chat_started', c),
    chat_start_type: c.resumed ? 'resumed_chat_group' : 'new_chat_group',
    start_time: Math.round(c.startTime),
  }
}

/** Sent when a chat ends; `duration_seconds` is whole seconds, as Hume's integer field says. */
export function chatEndedEvent(
  c: WebhookChat & { startTime: number; endTime: number; endReason: WebhookEndReason },
): WebhookEvent {
  return {
    ...base('chat_ended', c),
    duration_seconds: Math.max(0, Math.round((c.endTime - c.startTime) / 1000)),
    end_reason: c.endReason,
    end_time: Math.round(c.endTime),
  }
}

/** Sent when EVI asks for a tool: the same tool_call message the chat's client receives. */
export function toolCallEvent(c: WebhookChat & { timestamp: number; toolCall: WebhookToolCall }): WebhookEvent {
  const t = c.toolCall
  return {
    ...base('tool_call', c),
    timestamp: Math.round(c.timestamp),
    tool_call_message: {
      type: 'tool_call',
      name: t.name,
      parameters: t.parameters,
      tool_call_id: t.tool_call_id,
      tool_type: t.tool_type,
      response_required: t.response_required,
      ...(c.customSessionId ? { custom_session_id: c.customSessionId } : {}),
    },
  }
}

/** What makes two events the same event (a re-sent notify must not deliver twice). */
export function eventIdentity(e: WebhookEvent): string {
  const call = e.tool_call_message as { tool_call_id?: string } | undefined
  return [e.event_name, e.chat_id, call?.tool_call_id ?? ''].join('\u0000')
}
