// The "EVI chat" section of BENCHMARKS.md, from the latency runs and the concurrency steps.
import type { KeepUpRule, LoadStep, ProbeFigures } from './chat-load.js'
import { percentile, type TurnResult } from './chat-turns.js'
import type { Clip } from './clips.js'
import { LEAD_MS, VOICED_WITHIN_DB } from './clips.js'

export interface LatencyRun {
  silenceMs: number
  turns: TurnResult[]
  invalid: string[]
}

export interface SectionInput {
  turns: number
  chatTurns: number
  maxChats: number
  reply: string
  clips: Clip[]
  health: Record<string, unknown>
  threads: number
  latency: LatencyRun[]
  steps: LoadStep[]
  keepUp: KeepUpRule
  staggerMs: number
  gapMs: number
  /** Run with fewer turns or chats than the defaults: a quick look, not the benchmark's figures. */
  reduced: boolean
  /** False while the run goes on (the section is rewritten after every stage). */
  complete: boolean
  /** Why the concurrency steps stopped before BENCH_MAX_CHATS, if they did. */
  stopped: string
  /** The speech recogniser the server used, in words. */
  asr: string
  /** The /healthz probe with no chat open. */
  idle: ProbeFigures
}

const ms = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—')
/** The chat's own latency for a turn: the client's figure less the model's time, else the client's figure. */
const own = (t: TurnResult) => t.latencyMs ?? t.totalMs
/** A server figure that includes the model's answer, less the model's time to first byte. */
const lessModel = (t: TurnResult, v: number | undefined) => (v === undefined ? undefined : v - (t.llmTtfbMs ?? 0))

/** What went unusually in some turns, as a sentence (empty when nothing did). */
function anomalies(turns: TurnResult[], invalid: string[]): string {
  const notes: string[] = []
  const count = (pred: (t: TurnResult) => boolean, what: string) => {
    const n = turns.filter(pred).length
    if (n) notes.push(`${n} ${what}`)
  }
  count((t) => !!t.failure, `without a reply (${[...new Set(turns.map((t) => t.failure).filter(Boolean))].join('; ')})`)
  count((t) => !t.failure && t.userFinals !== 1, 'heard as more or fewer than one user turn')
  count((t) => t.earlyAudio > 0, 'with reply audio before the user had finished')
  count((t) => t.interruptions > 0, 'with a user_interruption')
  count((t) => t.errors.length > 0, `with error messages (${[...new Set(turns.flatMap((t) => t.errors))].join('; ')})`)
  count((t) => t.firstAudioAt !== undefined && t.llmTtfbMs === undefined, 'whose model request was not found')
  count((t) => t.firstAudioAt !== undefined && !t.server, 'without the server figures in the history')
  if (invalid.length) notes.push(`${invalid.length} server messages failing the strict SubscribeEvent parse`)
  return notes.length ? `Turns: ${notes.join(', ')}.` : ''
}

function latencyRows(runs: LatencyRun[]): { rows: string[]; notes: string[]; goals: string[] } {
  const rows: string[] = []
  const notes: string[] = []
  const goals: string[] = []
  for (const r of runs) {
    const measured = r.turns.filter((t) => own(t) !== undefined)
    const lat = measured.map(own)
    const withServer = measured.filter((t) => t.server)
    const early = withServer.filter((t) => t.server!.early_end_of_turn).length
    const split = [
      percentile(
        withServer.map((t) => t.server!.end_of_speech_to_transcript_ms),
        50,
      ),
      percentile(
        withServer.map((t) => lessModel(t, t.server!.end_of_speech_to_first_token_ms)),
        50,
      ),
      percentile(
        withServer.map((t) => lessModel(t, t.server!.end_of_speech_to_first_audio_ms)),
        50,
      ),
    ]
    const p50 = percentile(lat, 50)
    const label = r.silenceMs === 800 ? '800 (Hume default)' : String(r.silenceMs)
    rows.push(
      `| ${label} | ${measured.length} / ${r.turns.length} | ${ms(p50)} | ${ms(percentile(lat, 95))} | ` +
        `${ms(percentile(lat, 100))} | ${early} of ${withServer.length} | ${split.map(ms).join(' / ')} |`,
    )
    const goal = r.silenceMs + 300
    goals.push(
      `${r.silenceMs} ms silence: p50 ${ms(p50)} ms against ${goal} ms, **${p50 <= goal ? 'met' : 'not met'}**` +
        ` (below 500 ms: ${p50 < 500 ? 'yes' : 'no'})`,
    )
    // The client dates the end of speech by the level of what it sent, the server by Silero's verdict.
    const offset = percentile(
      withServer.map((t) => {
        const server = lessModel(t, t.server!.end_of_speech_to_first_audio_ms)
        return server === undefined ? undefined : own(t)! - server
      }),
      50,
    )
    const ttfb = measured.map((t) => t.llmTtfbMs)
    notes.push(
      `${r.silenceMs} ms: the model's own time to first byte p50 ${percentile(ttfb, 50).toFixed(1)} ms, max ` +
        `${percentile(ttfb, 100).toFixed(1)} ms (subtracted per turn); the server dates the end of speech ` +
        `${ms(Math.abs(offset))} ms ${offset >= 0 ? 'earlier' : 'later'} than the client (median). ` +
        anomalies(r.turns, r.invalid),
    )
  }
  return { rows, notes, goals }
}

function stepRows(steps: LoadStep[]): string[] {
  return steps.map((s) => {
    const lat = s.turns.map(own)
    const replied = s.turns.filter((t) => own(t) !== undefined).length
    const transcript = percentile(
      s.turns.map((t) => t.server?.end_of_speech_to_transcript_ms),
      50,
    )
    const underrun = Math.max(0, ...s.turns.map((t) => t.underrunMs))
    return (
      `| ${s.chats} | ${replied} / ${s.turns.length} | ${s.keptUp} / ${s.chats} | ${s.audioKeptUp} / ${s.chats} | ` +
      `${ms(percentile(lat, 50))} / ${ms(percentile(lat, 95))} / ${ms(percentile(lat, 100))} | ${ms(transcript)} | ` +
      `${ms(underrun)} | ${ms(s.probe.p50)} / ${ms(s.probe.p99)} | ${s.serverCores.toFixed(2)} | ` +
      `${s.clientCores.toFixed(2)} / ${ms(s.clientLoopP99)} |`
    )
  })
}

export function eviChatSection(i: SectionInput): string {
  const { rows, notes, goals } = latencyRows(i.latency)
  const largestWhere = (ok: (s: LoadStep) => boolean) => {
    const held = i.steps.filter(ok).map((s) => s.chats)
    const n = held.length ? Math.max(...held) : 0
    // Every step tried passed: the limit was not reached (time, or BENCH_MAX_CHATS).
    return n > 0 && n === i.steps.at(-1)?.chats ? `${n} or more` : String(n)
  }
  const replySeconds = percentile(
    i.latency.flatMap((r) => r.turns.map((t) => (t.firstAudioAt === undefined ? undefined : t.replySeconds))),
    50,
  )
  const stepNotes = i.steps.map((s) => [s.chats, anomalies(s.turns, s.invalid)] as const).filter(([, n]) => n)
  const speech = i.clips.map((c) => c.speechMs / 1000)
  const { status: _s, version: _v, database, ...sections } = i.health
  return [
    ...(i.complete
      ? []
      : [
          '**Incomplete:** written while the benchmark was still running; if nothing replaced it, the run was',
          'stopped before the end (see BENCH_TIMEOUT_S) and the stages missing below were not measured.',
          '',
        ]),
    ...(i.reduced
      ? [
          `**A reduced run** (${i.turns} turns per latency run, ${i.chatTurns} per chat, N up to ${i.maxChats}): a`,
          'smoke test of the benchmark, not its figures. Run it with the defaults on a quiet machine.',
          '',
        ]
      : []),
    `The server runs as \`npm start\` runs it (a child process; ${database} database; ${i.threads} TTS and`,
    `${i.threads} batch threads), with \`PROSODIA_LLM_URL\` pointing at a scripted OpenAI-compatible model on`,
    '127.0.0.1 (a worker thread of the benchmark) that streams the same reply at once:',
    `"${i.reply}" (${replySeconds.toFixed(1)} s of speech). Speech recognition: ${i.asr}; the rest as /healthz`,
    `reports it: \`${JSON.stringify(sections)}\`.`,
    `The user is RAVDESS speech (${i.clips.length} clips of ${Math.min(...speech).toFixed(1)}–${Math.max(...speech).toFixed(1)} s of speech, 48 kHz linear16, cycled),`,
    `each streamed at real time in 20 ms \`audio_input\` frames from ${LEAD_MS} ms before the speech, then silence as a`,
    'live microphone keeps sending, through the reply, which the client hears out (plus',
    `${i.gapMs} ms) before the next clip. End of user speech: the wall time the clip's last voiced frame (within`,
    `${VOICED_WITHIN_DB} dB of its loudest) was sent. Latency: the first \`audio_output\` of the reply minus that, less the`,
    "model's own time to first byte for that turn's request. Raw `ws` sockets, every server message parsed",
    "strictly with hume@0.16.0's `SubscribeEvent`.",
    '',
    `### Latency: one chat, ${i.turns} turns`,
    '',
    "The split is the chat's own record of each turn (AGENT_MESSAGE metadata `latency`, read back from",
    '`GET /v0/evi/chats/{id}`), from its own end of speech (Silero): to the transcript, to the first token',
    'and to the first audio (the last two less the model\'s time). "Ended early": turns the transcript and',
    'falling pitch ended before the full end-of-turn silence.',
    '',
    '| end_of_turn_silence_ms | Turns measured | p50 (ms) | p95 (ms) | max (ms) | Ended early | Server split p50: →transcript / →first token / →first audio (ms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...notes.map((n) => `- ${n.trim()}`),
    '',
    `Goal (issue 9): p50 at most the configured silence + 300 ms; ${goals.join('; ')}.`,
    '',
    `### Concurrency: N chats at once, ${i.chatTurns} turns each`,
    '',
    `N = 1, 2, 4, … chats on one server, each speaking as above (the default config), their first turns spread`,
    `over ${i.staggerMs / 1000} s. A chat keeps up when every turn has a reply whose first audio comes within`,
    `${i.keepUp.maxLatencyMs / 1000} s of the end of speech (the model's time excluded) and whose audio keeps ahead of real time: at`,
    "each `audio_output`'s arrival, the seconds of audio received cover the wall time since the reply's first",
    `chunk (${i.keepUp.underrunSlackMs} ms allowed for timer jitter; "worst underrun" is the most any reply fell behind). The`,
    "`/healthz` probe (one request every 100 ms from a worker thread) shows how long the server's event loop",
    `keeps a request waiting (with no chat open: p50 ${ms(i.idle.p50)} ms, p99 ${ms(i.idle.p99)} ms, max ${ms(i.idle.max)} ms); server CPU`,
    "counts its threads and the recogniser processes it runs; client CPU is this benchmark's process (the",
    'clients, the scripted model and the probe), on the same cores.',
    '',
    ...(i.steps.length === 0
      ? ['Not measured yet.']
      : [
          '| Chats | Turns with a reply | Kept up | Audio ahead of real time | Latency p50 / p95 / max (ms) | Server →transcript p50 (ms) | Worst underrun (ms) | /healthz p50 / p99 (ms) | Server CPU (cores) | Client CPU (cores) / loop p99 (ms) |',
          '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
          ...stepRows(i.steps),
          '',
          `Largest N that keeps up: **${largestWhere((s) => s.keptUp === s.chats)}**; largest N whose replies all came`,
          `with their audio ahead of real time, however late they began: **${largestWhere((s) => s.audioKeptUp === s.chats)}**`,
          '(powers of two only: the true limit lies between that and the next step)' +
            (i.stopped ? `; ${i.stopped}.` : i.complete ? `; every N up to ${i.maxChats} was tried.` : '.'),
          ...(stepNotes.length ? ['', ...stepNotes.map(([n, note]) => `- ${n} chats: ${note}`)] : []),
        ]),
    '',
    'Notes: wall-clock timings on a 2-core machine, where the clients, the model and the server share the',
    'cores. Figures move between runs: compare rows of one run.',
  ].join('\n')
}
