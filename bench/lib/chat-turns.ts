// A spoken turn of the EVI chat benchmark, measured from the client: the clip streamed at real time,
// silence until the reply's first audio_output, then the reply heard out before the next turn. Also
// the chat's own per-turn figures (AGENT_MESSAGE metadata `latency`) read back from the history.
import { wallNow, type BenchChat } from './bench-chat.js'
import type { Clip } from './clips.js'
import type { LlmRecord } from './scripted-llm.js'

export interface TurnResult {
  chat: number
  turn: number
  clip: string
  startedAt: number
  /** Wall time the clip's last voiced frame was sent. */
  endOfSpeechAt: number
  firstAudioAt?: number
  /** End of speech → first audio_output of the reply, as the client saw it (ms). */
  totalMs?: number
  /** The scripted model's own time to first byte for this turn's request (ms). */
  llmTtfbMs?: number
  /** totalMs less the model's time: the chat's own latency. */
  latencyMs?: number
  /** Seconds of reply audio received (up to assistant_end). */
  replySeconds: number
  /** The most the reply's audio fell behind real time at any chunk's arrival (ms; 0: never). */
  underrunMs: number
  /** Final user_message messages during the turn (1 when the clip was heard as one turn). */
  userFinals: number
  interruptions: number
  /** audio_output that arrived before the user had finished speaking (a reply to part of the clip). */
  earlyAudio: number
  errors: string[]
  /** Why the turn has no figure (no reply in time, the socket closed). */
  failure?: string
  /** The server's figures for this turn (AGENT_MESSAGE metadata), when found in the history. */
  server?: ServerLatency
}

export interface ServerLatency {
  end_of_speech_to_transcript_ms?: number
  end_of_speech_to_first_token_ms?: number
  end_of_speech_to_first_audio_ms?: number
  early_end_of_turn?: boolean
}

export interface TurnContext {
  chat: number
  turn: number
  /** The chat's tag in the model's system prompt, to find this turn's request. */
  tag: string
  llmRecords: readonly LlmRecord[]
  /** Longest wait from the end of speech for the reply's first audio. */
  replyTimeoutMs: number
  /** Silence after the reply has played before the user speaks again. */
  gapMs: number
}

/** A turn that never started (the chat could not be opened). */
export function failedTurn(chat: number, failure: string): TurnResult {
  return {
    chat,
    turn: 0,
    clip: '',
    startedAt: NaN,
    endOfSpeechAt: NaN,
    replySeconds: 0,
    underrunMs: 0,
    userFinals: 0,
    interruptions: 0,
    earlyAudio: 0,
    errors: [],
    failure,
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))
/** Longest wait for assistant_end once the reply has begun. */
const REPLY_END_TIMEOUT_MS = 30_000

export async function runTurn(chat: BenchChat, clip: Clip, ctx: TurnContext): Promise<TurnResult> {
  const startedAt = wallNow()
  const from = { audio: chat.audio.length, errors: chat.errors.length }
  const result: TurnResult = {
    chat: ctx.chat,
    turn: ctx.turn,
    clip: clip.name,
    startedAt,
    endOfSpeechAt: NaN,
    replySeconds: 0,
    underrunMs: 0,
    userFinals: 0,
    interruptions: 0,
    earlyAudio: 0,
    errors: [],
  }
  const finish = (failure?: string) => {
    const now = wallNow()
    result.failure = failure
    result.userFinals = chat.userFinals.filter((t) => t >= startedAt && t <= now).length
    result.interruptions = chat.interruptions.filter((t) => t >= startedAt && t <= now).length
    result.errors = chat.errors.slice(from.errors).map((e) => `${e.code} ${e.slug}: ${e.message}`)
    return result
  }

  const played = await Promise.race([chat.play(clip), chat.closed.then(() => undefined)])
  if (!played) return finish('the socket closed')
  const endOfSpeech = (result.endOfSpeechAt = played.endOfSpeechAt)
  result.earlyAudio = chat.audio.slice(from.audio).filter((a) => a.at <= endOfSpeech).length

  const firstIndex = () => chat.audio.findIndex((a, i) => i >= from.audio && a.at > endOfSpeech)
  const left = ctx.replyTimeoutMs - (wallNow() - endOfSpeech)
  if (!(await chat.waitFor(() => firstIndex() >= 0, left))) {
    if (!chat.open) return finish('the socket closed')
    // A reply still on its way would land in the next turn: let it come and play out first.
    await chat.waitFor(() => chat.ends.some((t) => t >= startedAt), REPLY_END_TIMEOUT_MS)
    const late = chat.audio.slice(from.audio)
    const heard = late.reduce((sum, a) => sum + a.seconds, 0)
    if (late[0]) await sleep(late[0].at + heard * 1000 + ctx.gapMs - wallNow())
    return finish('no reply audio within ' + ctx.replyTimeoutMs / 1000 + ' s')
  }
  const start = firstIndex()
  const first = chat.audio[start]!
  result.firstAudioAt = first.at
  result.totalMs = first.at - endOfSpeech

  const ended = await chat.waitFor(() => chat.ends.some((t) => t >= first.at), REPLY_END_TIMEOUT_MS)
  const endAt = chat.ends.find((t) => t >= first.at) ?? wallNow()
  // Audio keeps ahead of real time when, at each chunk's arrival, the audio already received covers
  // the time since the first chunk arrived (a player that starts at once never runs dry).
  let received = 0
  let worst = -Infinity
  for (const a of chat.audio.slice(start).filter((x) => x.at <= endAt)) {
    worst = Math.max(worst, a.at - first.at - received * 1000)
    received += a.seconds
  }
  result.underrunMs = worst
  result.replySeconds = received
  // A listener hears the reply out before speaking again (speaking over it would be a barge-in).
  await sleep(first.at + received * 1000 + ctx.gapMs - wallNow())

  const request = ctx.llmRecords.find((r) => r.tag === ctx.tag && r.arrivedAt >= startedAt && r.arrivedAt <= first.at)
  if (request) {
    result.llmTtfbMs = request.firstByteAt - request.arrivedAt
    result.latencyMs = result.totalMs - result.llmTtfbMs
  }
  return finish(ended ? undefined : `no assistant_end within ${REPLY_END_TIMEOUT_MS / 1000} s`)
}

interface HistoryPage {
  status: string
  total_pages: number
  events_page: { type: string; timestamp: number; metadata: string }[]
}

export interface ServerTurn {
  /** Wall-clock ms the server dated the end of speech (the event's time less its →first audio). */
  endOfSpeechAt: number
  latency: ServerLatency
}

/**
 * The chat's per-turn latency figures from its history (GET /v0/evi/chats/{id}), once the chat has
 * ended and its events are written. The AGENT_MESSAGE carrying them is recorded as the reply's first
 * audio goes out, so its timestamp less end_of_speech_to_first_audio_ms is the server's end of speech.
 */
export async function serverLatencies(baseUrl: string, apiKey: string, chatId: string): Promise<ServerTurn[]> {
  const get = async (page: number): Promise<HistoryPage> => {
    const url = `${baseUrl}/v0/evi/chats/${chatId}?page_number=${page}&page_size=100&ascending_order=true`
    const res = await fetch(url, { headers: { 'x-hume-api-key': apiKey } })
    if (!res.ok) throw new Error(`GET /v0/evi/chats/${chatId}: ${res.status} ${await res.text()}`)
    return (await res.json()) as HistoryPage
  }
  const deadline = Date.now() + 15_000
  let page = await get(0)
  while (page.status === 'ACTIVE' && Date.now() < deadline) {
    await sleep(100)
    page = await get(0)
  }
  const events = [...page.events_page]
  for (let p = 1; p < page.total_pages; p++) events.push(...(await get(p)).events_page)
  const out: ServerTurn[] = []
  for (const e of events) {
    if (e.type !== 'AGENT_MESSAGE' || !e.metadata) continue
    const latency = (JSON.parse(e.metadata) as { latency?: ServerLatency }).latency
    const toAudio = latency?.end_of_speech_to_first_audio_ms
    if (latency && toAudio !== undefined) out.push({ endOfSpeechAt: e.timestamp - toAudio, latency })
  }
  return out
}

/** The furthest apart the client's and the server's end of speech may be and still be one turn. */
const SAME_TURN_MS = 1_500

/**
 * Gives each turn the server figures whose end of speech is nearest its own (within SAME_TURN_MS):
 * matched by when the user stopped, a late reply still finds its turn.
 */
export function attachServerLatencies(turns: TurnResult[], figures: ServerTurn[]): void {
  const free = [...figures]
  for (const t of turns) {
    if (!Number.isFinite(t.endOfSpeechAt)) continue
    const gap = (f: ServerTurn) => Math.abs(f.endOfSpeechAt - t.endOfSpeechAt)
    let best = -1
    for (let i = 0; i < free.length; i++)
      if (gap(free[i]!) < SAME_TURN_MS && (best < 0 || gap(free[i]!) < gap(free[best]!))) best = i
    if (best >= 0) t.server = free.splice(best, 1)[0]!.latency
  }
}

/** Nearest-rank percentile of the finite values; NaN when there are none. */
export function percentile(values: (number | undefined)[], p: number): number {
  const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return NaN
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!
}
