/**
 * What the language model is told: the system prompt (the config's prompt or the session's
 * system_prompt, with {{variables}} filled in, plus context from session settings) and the
 * conversation so far, rebuilt from the chat group's history when a chat resumes.
 */
import type { StoredChatEvent } from '../history/history.types.js'
import type { LlmMessage, LlmToolCall } from '../llm/llm.types.js'

export const DEFAULT_SYSTEM_PROMPT =
  'You are a helpful, friendly voice assistant. Your replies are spoken aloud: keep them short and ' +
  'conversational, without lists, markdown or emoji.'

export type Variables = Record<string, string | number | boolean>

/** Replaces `{{name}}` with the session's variable; an unset variable becomes empty text. */
export function fillVariables(text: string, vars: Variables): string {
  return text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : '',
  )
}

export interface PromptParts {
  configPrompt?: string
  sessionPrompt?: string
  variables: Variables
  persistentContext?: string
  temporaryContext?: string
}

export function systemPrompt(p: PromptParts): string {
  const base = fillVariables(p.sessionPrompt ?? p.configPrompt ?? DEFAULT_SYSTEM_PROMPT, p.variables)
  const context = [p.persistentContext, p.temporaryContext].filter((c): c is string => !!c)
  return context.length ? `${base}\n\nContext for this conversation:\n${context.join('\n')}` : base
}

/** The conversation as language-model messages, appended to as the chat goes. */
export class Conversation {
  readonly messages: LlmMessage[] = []

  user(text: string, o: { prosody?: Record<string, number>; time?: { begin: number; end: number } } = {}): void {
    const last = this.messages.at(-1)
    // Two user turns in a row (the assistant was paused or interrupted before it said anything) are one;
    // the later turn's expression is the one the model hears about.
    if (last?.role === 'user') {
      last.content = `${last.content} ${text}`
      if (o.prosody) last.prosody = o.prosody
      if (o.time && last.time) last.time = { begin: last.time.begin, end: o.time.end }
    } else
      this.messages.push({
        role: 'user',
        content: text,
        ...(o.prosody && { prosody: o.prosody }),
        ...(o.time && { time: o.time }),
      })
  }

  assistant(text: string): void {
    const last = this.messages.at(-1)
    if (last?.role === 'assistant' && !last.toolCalls?.length) last.content = `${last.content} ${text}`.trim()
    else this.messages.push({ role: 'assistant', content: text })
  }

  toolCall(call: LlmToolCall): void {
    const last = this.messages.at(-1)
    if (last?.role === 'assistant') (last.toolCalls ??= []).push(call)
    else this.messages.push({ role: 'assistant', content: '', toolCalls: [call] })
  }

  toolResult(r: { toolCallId: string; toolName: string; content: string; isError?: boolean }): void {
    this.messages.push({ role: 'tool', ...r })
  }

  /** A resumed chat group's history (oldest first) as the start of this conversation. */
  replay(events: readonly StoredChatEvent[]): void {
    for (const e of events) {
      const meta = parseMeta(e.metadata)
      switch (e.type) {
        case 'USER_MESSAGE':
          if (e.message_text) this.user(e.message_text, { prosody: parseScores(e.emotion_features) })
          break
        case 'AGENT_MESSAGE':
          if (e.message_text) this.assistant(e.message_text)
          break
        case 'FUNCTION_CALL':
          if (typeof meta.tool_call_id === 'string' && typeof meta.name === 'string')
            this.toolCall({ id: meta.tool_call_id, name: meta.name, arguments: String(meta.parameters ?? '{}') })
          break
        case 'FUNCTION_CALL_RESPONSE':
          if (typeof meta.tool_call_id === 'string')
            this.toolResult({
              toolCallId: meta.tool_call_id,
              toolName: String(meta.tool_name ?? ''),
              content: e.message_text ?? '',
              isError: meta.is_error === true,
            })
          break
        default:
      }
    }
    this.dropUnansweredToolCalls()
  }

  /** A tool call whose result never came (the chat ended first) would make most APIs refuse the history. */
  private dropUnansweredToolCalls(): void {
    const answered = new Set(this.messages.flatMap((m) => (m.role === 'tool' ? [m.toolCallId] : [])))
    for (const m of this.messages) {
      if (m.role === 'assistant' && m.toolCalls) {
        m.toolCalls = m.toolCalls.filter((c) => answered.has(c.id))
        if (m.toolCalls.length === 0) delete m.toolCalls
      }
    }
    const kept = this.messages.filter((m) => m.role !== 'assistant' || m.content || m.toolCalls?.length)
    this.messages.splice(0, this.messages.length, ...kept)
  }
}

function parseScores(s: string | undefined): Record<string, number> | undefined {
  const v = parseMeta(s)
  const entries = Object.entries(v).filter((e): e is [string, number] => typeof e[1] === 'number')
  return entries.length ? Object.fromEntries(entries) : undefined
}

function parseMeta(s: string | undefined): Record<string, unknown> {
  if (!s) return {}
  try {
    const v: unknown = JSON.parse(s)
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
