/**
 * The bounded slice of a conversation sent to the language model. Hume resends a chat's whole
 * history on every turn, which breaks long chats (context limits, gateways' message-size caps);
 * Prosodia sends the newest messages that fit PROSODIA_EVI_HISTORY_MESSAGES and
 * PROSODIA_EVI_HISTORY_CHARS. A tool call and its results travel together (an API refuses a result
 * without its call, or a call without its result), and the latest user turn is always sent.
 */
import type { LlmMessage } from './llm.types.js'

export interface HistoryLimits {
  /** Most messages sent (config.limits.eviHistoryMessages). */
  maxMessages: number
  /** Most characters of message text and tool arguments sent (config.limits.eviHistoryChars). */
  maxChars: number
}

/** Messages that are kept or dropped together. */
interface Unit {
  messages: LlmMessage[]
  chars: number
  startsWithUser: boolean
  /** Tool results whose call is not in the history: no provider accepts them. */
  orphan: boolean
}

/**
 * The newest messages within both limits, oldest first. The latest user turn and everything after
 * it are kept even when they alone exceed the limits (the model must hear what it answers). When
 * older messages are cut, the window starts at a user turn, so the model never sees an answer
 * without its question.
 */
export function windowHistory(messages: readonly LlmMessage[], limits: HistoryLimits): LlmMessage[] {
  const units = toUnits(messages)
  if (units.length === 0) return []
  let lastUser = -1
  for (let i = units.length - 1; i >= 0 && lastUser < 0; i--) if (units[i]!.startsWithUser) lastUser = i
  let start = lastUser >= 0 ? lastUser : units.length - 1
  let count = 0
  let chars = 0
  for (let i = start; i < units.length; i++) {
    count += units[i]!.messages.length
    chars += units[i]!.chars
  }
  while (start > 0) {
    const u = units[start - 1]!
    if (count + u.messages.length > limits.maxMessages || chars + u.chars > limits.maxChars) break
    count += u.messages.length
    chars += u.chars
    start--
  }
  const cut = start > 0
  while (start < units.length - 1 && (units[start]!.orphan || (cut && !units[start]!.startsWithUser))) start++
  return units.slice(start).flatMap((u) => (u.orphan ? [] : u.messages))
}

function toUnits(messages: readonly LlmMessage[]): Unit[] {
  const units: Unit[] = []
  let open: { unit: Unit; callIds: Set<string> } | undefined
  for (const m of messages) {
    if (m.role === 'tool' && open?.callIds.has(m.toolCallId)) {
      open.unit.messages.push(m)
      open.unit.chars += size(m)
      continue
    }
    const unit: Unit = { messages: [m], chars: size(m), startsWithUser: m.role === 'user', orphan: m.role === 'tool' }
    units.push(unit)
    open =
      m.role === 'assistant' && m.toolCalls?.length
        ? { unit, callIds: new Set(m.toolCalls.map((c) => c.id)) }
        : undefined
  }
  return units
}

function size(m: LlmMessage): number {
  switch (m.role) {
    case 'user':
      return m.content.length
    case 'assistant':
      return m.content.length + (m.toolCalls ?? []).reduce((n, c) => n + c.name.length + c.arguments.length, 0)
    case 'tool':
      return m.content.length + m.toolName.length
  }
}
