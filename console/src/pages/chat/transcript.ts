import type { empathicVoice } from '../../../../src/client/index.js'

type Msg = empathicVoice.SubscribeEvent
type ToolCall = Extract<Msg, { type: 'tool_call' }>

/** How many transcript entries the page keeps: a long chat drops its oldest lines, not the tab's memory. */
export const MAX_ENTRIES = 500
/** How many of a user message's emotions are shown. */
export const TOP_EMOTIONS = 3

export interface UserEntry {
  kind: 'user'
  key: number
  text: string
  /** A speculative transcript the final one replaces. */
  interim: boolean
  fromText: boolean
  /** The top emotions with their scores; empty when the server sends no scores. */
  emotions: [string, number][]
}
export interface AssistantEntry {
  kind: 'assistant'
  key: number
  /** The assistant_message ids merged into this entry (one per sentence). */
  ids: string[]
  text: string
  /** Still receiving sentences of this answer (until assistant_end or the user speaks). */
  open: boolean
  interrupted: boolean
}
export interface ToolEntry {
  kind: 'tool'
  key: number
  call: ToolCall
  answer?: { kind: 'response' | 'error'; text: string }
}
export interface InterruptionEntry {
  kind: 'interruption'
  key: number
}
export type Entry = UserEntry | AssistantEntry | ToolEntry | InterruptionEntry

export interface Transcript {
  entries: Entry[]
  nextKey: number
}

export type TranscriptAction =
  | { type: 'event'; message: Msg }
  | { type: 'answered'; toolCallId: string; answer: NonNullable<ToolEntry['answer']> }
  | { type: 'reset' }

export const emptyTranscript: Transcript = { entries: [], nextKey: 0 }

export function topEmotions(scores: Record<string, number> | undefined, n = TOP_EMOTIONS): [string, number][] {
  if (!scores) return []
  return Object.entries(scores)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
}

/** An entry before push() numbers it (Omit distributed over the union). */
type NewEntry = Entry extends infer E ? (E extends Entry ? Omit<E, 'key'> : never) : never

function push(state: Transcript, entries: Entry[], entry: NewEntry): Transcript {
  const next = [...entries, { ...entry, key: state.nextKey } as Entry]
  return {
    entries: next.length > MAX_ENTRIES ? next.slice(next.length - MAX_ENTRIES) : next,
    nextKey: state.nextKey + 1,
  }
}

function lastIndex<T>(items: T[], pred: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i] as T)) return i
  return -1
}

/** Closes the assistant's open answer: the next assistant_message starts a new entry. */
function closeAnswer(entries: Entry[]): Entry[] {
  return entries.map((e) => (e.kind === 'assistant' && e.open ? { ...e, open: false } : e))
}

/** The transcript a chat's server messages build: what the page shows, in order. */
export function transcriptReducer(state: Transcript, action: TranscriptAction): Transcript {
  if (action.type === 'reset') return emptyTranscript
  if (action.type === 'answered') {
    const entries = state.entries.map((e) =>
      e.kind === 'tool' && e.call.toolCallId === action.toolCallId ? { ...e, answer: action.answer } : e,
    )
    return { ...state, entries }
  }
  const m = action.message
  switch (m.type) {
    case 'user_message': {
      const entries = closeAnswer(state.entries)
      const last = entries.at(-1)
      const user: Omit<UserEntry, 'key'> = {
        kind: 'user',
        text: m.message.content,
        interim: m.interim,
        fromText: m.fromText,
        emotions: topEmotions(m.models.prosody?.scores),
      }
      // Interim transcripts of a turn are replaced by the next one, and finally by the final transcript.
      if (last?.kind === 'user' && last.interim)
        return { ...state, entries: [...entries.slice(0, -1), { ...user, key: last.key }] }
      return push(state, entries, user)
    }
    case 'assistant_message': {
      const last = state.entries.at(-1)
      if (last?.kind === 'assistant' && last.open) {
        const merged = { ...last, ids: [...last.ids, m.id], text: `${last.text} ${m.message.content}`.trim() }
        return { ...state, entries: [...state.entries.slice(0, -1), merged] }
      }
      return push(state, state.entries, {
        kind: 'assistant',
        ids: [m.id],
        text: m.message.content,
        open: true,
        interrupted: false,
      })
    }
    case 'assistant_end':
      return { ...state, entries: closeAnswer(state.entries) }
    case 'user_interruption': {
      // The answer being spoken is the latest one, open or not: its audio plays on after assistant_end.
      const at = lastIndex(state.entries, (e) => e.kind === 'assistant')
      const answered = state.entries.slice(at + 1).some((e) => e.kind === 'user')
      const entries = closeAnswer(state.entries).map((e, i) =>
        i === at && !answered && e.kind === 'assistant' ? { ...e, interrupted: true } : e,
      )
      return push(state, entries, { kind: 'interruption' })
    }
    case 'tool_call':
      return push(state, closeAnswer(state.entries), { kind: 'tool', call: m })
    default:
      return state
  }
}
