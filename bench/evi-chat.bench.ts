/**
 * EVI chat (issue 9): end of user speech → first audio_output of the reply over spoken turns, and
 * how many chats one server holds in real time. The server runs as `npm start` runs it (child
 * process, SQLite, one TTS and one batch thread per core) with a scripted OpenAI-compatible model on
 * 127.0.0.1 that answers at once; the user is RAVDESS speech streamed at real time on raw sockets.
 *
 *   npx tsx bench/evi-chat.bench.ts          # this benchmark alone (or `npm run bench -- evi-chat`)
 *   BENCH_TURNS=4 BENCH_CHAT_TURNS=2 BENCH_MAX_CHATS=2 npx tsx bench/evi-chat.bench.ts   # a quick look
 *
 * Knobs: BENCH_TURNS (turns per latency run, 20), BENCH_CHAT_TURNS (turns per chat in the
 * concurrency steps, 3), BENCH_MAX_CHATS (largest N tried, 32). Everything is bounded and the script
 * exits by itself: about 8 minutes with the defaults on a quiet 2-core machine, and it stops adding
 * chats before BENCH_TIMEOUT_S (run.ts's limit, 600 s by default) would cut it off. Give it
 * BENCH_TIMEOUT_S=1200 to let the concurrency steps go further.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { HUME_TURN_DEFAULTS } from '../src/domains/evi/chat/turns/turn-settings.js'
import { startServer, type ServerProcess } from '../test/helpers/server.js'
import {
  idleProbe,
  loadStep,
  oneChat,
  type KeepUpRule,
  type LoadStep,
  type LoadTarget,
  type ProbeFigures,
} from './lib/chat-load.js'
import { percentile, type TurnResult } from './lib/chat-turns.js'
import { loadClips, silenceFrame } from './lib/clips.js'
import { eviChatSection, type LatencyRun } from './lib/evi-chat-report.js'
import { writeSection } from './lib/report.js'
import { startScriptedLlm, type ScriptedLlm } from './lib/scripted-llm.js'

const int = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`)
  return v
}
const TURNS = int('BENCH_TURNS', 20)
const CHAT_TURNS = int('BENCH_CHAT_TURNS', 3)
const MAX_CHATS = int('BENCH_MAX_CHATS', 32)
const KEY = 'bench-evi-chat-key'
/**
 * The reply every turn gets, streamed at once. Two sentences, so that keeping ahead of real time also
 * covers the hand-over from one sentence's audio to the next.
 */
const REPLY = ['Sure,', ' I can help', ' with that.', ' What would', ' you like?']
const PROMPT = 'You are a helpful voice assistant. Answer in one or two short sentences. [bench chat {{tag}}]'
const TAG_PATTERN = '\\[bench chat ([\\w-]+)\\]'
const KEEP_UP: KeepUpRule = { maxLatencyMs: 3_000, underrunSlackMs: 20 }
/** The faster end-of-turn silence tried besides Hume's default (500 is the least a config may set). */
const FAST_SILENCE_MS = 500
/** Concurrency steps spread their chats' first turns over this long, as independent callers would. */
const STAGGER_MS = 3_000
/** Seconds of /healthz probing with no chat, before the steps. */
const IDLE_PROBE_S = 5
/** A step whose latency p95 is over this has saturated the server: larger steps would only take longer. */
const SATURATED_P95_MS = 10_000
/**
 * The benchmark stops adding chats before a step would run past this (run.ts stops a benchmark
 * after BENCH_TIMEOUT_S, 600 s by default), and says so in the report.
 */
const BUDGET_S = Number(process.env.BENCH_TIMEOUT_S ?? 600) - 45

/** The recogniser the server was started with (it inherits this process's environment). */
function asrDescription(): string {
  const url = process.env.PROSODIA_ASR_URL
  const provider = process.env.PROSODIA_ASR || (url ? 'openai' : 'auto')
  if (provider === 'openai')
    return `an OpenAI-compatible transcription server (${process.env.PROSODIA_ASR_MODEL ?? 'whisper-1'})`
  if (provider === 'none') return 'none'
  return 'pocketsphinx (`PROSODIA_ASR` auto: the offline default when installed)'
}

async function createConfig(server: ServerProcess, name: string, silenceMs?: number): Promise<string> {
  const res = await fetch(`${server.url}/v0/evi/configs`, {
    method: 'POST',
    headers: { 'x-hume-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      evi_version: '3',
      prompt: { text: PROMPT },
      ...(silenceMs !== undefined && { turn_detection: { end_of_turn_silence_ms: silenceMs } }),
    }),
  })
  if (res.status !== 201) throw new Error(`creating config ${name}: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}

/** One turn as a console row, for a look at the run while it goes. */
function turnRow(t: TurnResult) {
  const r = (v: number | undefined) => (v === undefined ? '' : Math.round(v))
  return {
    clip: t.clip.slice(0, 8),
    'latency ms': r(t.latencyMs ?? t.totalMs),
    'model ms': t.llmTtfbMs?.toFixed(1) ?? '',
    'server →transcript': r(t.server?.end_of_speech_to_transcript_ms),
    '→token': r(t.server?.end_of_speech_to_first_token_ms),
    '→audio': r(t.server?.end_of_speech_to_first_audio_ms),
    early: t.server?.early_end_of_turn ?? '',
    'user turns': t.userFinals,
    failure: t.failure ?? t.errors.join('; '),
  }
}

async function main(): Promise<void> {
  const started = performance.now()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-bench-evi-chat-'))
  const threads = String(os.availableParallelism())
  let llm: ScriptedLlm | undefined
  let server: ServerProcess | undefined
  try {
    llm = await startScriptedLlm({ reply: REPLY, tagPattern: TAG_PATTERN })
    server = await startServer({
      PROSODIA_DATA_DIR: dir,
      PROSODIA_API_KEY: KEY,
      LOG_LEVEL: 'warn',
      PROSODIA_TTS_THREADS: threads,
      PROSODIA_EXPRESSION_THREADS: threads,
      // The scripted model is on 127.0.0.1; a recogniser given as PROSODIA_ASR_URL keeps its own entry.
      PROSODIA_FETCH_ALLOW: [process.env.PROSODIA_FETCH_ALLOW, '127.0.0.1'].filter(Boolean).join(','),
      PROSODIA_LLM_URL: llm.baseURL,
      PROSODIA_LLM_MODEL: 'scripted',
      // One account holds every benchmark chat; its caps (5 chats, a few sockets) would stop the steps.
      PROSODIA_EVI_MAX_CHATS_PER_ACCOUNT: '1000',
      PROSODIA_WS_MAX_SOCKETS_PER_ACCOUNT: '1000',
    })
    console.log(`server pid ${server.child.pid}, benchmark pid ${process.pid}`)
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, unknown>
    const defaultConfig = await createConfig(server, 'bench: Hume default turn detection')
    const fastConfig = await createConfig(server, `bench: ${FAST_SILENCE_MS} ms end of turn`, FAST_SILENCE_MS)
    const clips = loadClips()
    const target: LoadTarget = {
      baseUrl: server.url,
      apiKey: KEY,
      serverPid: server.child.pid!,
      clips,
      silence: silenceFrame(clips[0]!.sampleRate),
      llmRecords: llm.records,
      replyTimeoutMs: 30_000,
      gapMs: 300,
    }

    // Warm-up: the first turn loads Silero, the recogniser, the voice and the prosody model.
    console.log('warm-up turn ...')
    await oneChat(target, { configId: defaultConfig, tag: 'warmup', turns: 1 })

    const latency: LatencyRun[] = []
    const steps: LoadStep[] = []
    let idle: ProbeFigures = { p50: NaN, p99: NaN, max: NaN, failures: 0 }
    let stopped = ''
    // Written after every stage, so a run stopped part-way (run.ts's timeout) leaves what it measured.
    const write = (complete: boolean) =>
      writeSection({
        section: 'EVI chat',
        command: 'npx tsx bench/evi-chat.bench.ts (or npm run bench)',
        body: eviChatSection({
          turns: TURNS,
          chatTurns: CHAT_TURNS,
          maxChats: MAX_CHATS,
          reply: REPLY.join(''),
          clips,
          health,
          threads: Number(threads),
          latency,
          steps,
          keepUp: KEEP_UP,
          staggerMs: STAGGER_MS,
          gapMs: target.gapMs,
          reduced: TURNS < 20 || MAX_CHATS < 32 || CHAT_TURNS < 3,
          complete,
          stopped,
          idle,
          asr: asrDescription(),
        }),
      })

    for (const [configId, silenceMs] of [
      [defaultConfig, HUME_TURN_DEFAULTS.endOfTurnSilenceMs],
      [fastConfig, FAST_SILENCE_MS],
    ] as const) {
      console.log(`latency: ${TURNS} turns, end_of_turn_silence_ms ${silenceMs} ...`)
      const run = await oneChat(target, { configId, tag: `latency-${silenceMs}`, turns: TURNS })
      latency.push({ silenceMs, ...run })
      console.table(run.turns.map(turnRow))
    }
    write(false)

    console.log('idle /healthz probe ...')
    idle = await idleProbe(target, IDLE_PROBE_S)
    // Steps go on while every chat's replies come and keep ahead of real time, even if late (a step
    // where only the latency limit fails still shows how the server scales), unless the server is
    // plainly saturated or the next step would overrun the time budget.
    for (let n = 1; n <= MAX_CHATS; n *= 2) {
      const last = steps.at(-1)
      const elapsed = (performance.now() - started) / 1000
      if (last && elapsed + last.wallSeconds * 1.5 > BUDGET_S) {
        stopped = `${n} chats were not tried: that step would have overrun the ${BUDGET_S} s budget (BENCH_TIMEOUT_S)`
        break
      }
      console.log(`concurrency: ${n} chat(s) × ${CHAT_TURNS} turns ...`)
      const step = await loadStep(target, {
        configId: defaultConfig,
        chats: n,
        turns: CHAT_TURNS,
        staggerMs: STAGGER_MS,
        rule: KEEP_UP,
      })
      steps.push(step)
      console.log(
        `  ${step.keptUp}/${n} kept up (${step.audioKeptUp}/${n} with audio ahead of real time); ` +
          `server ${step.serverCores.toFixed(2)} cores`,
      )
      const p95 = percentile(
        step.turns.map((t) => t.latencyMs ?? t.totalMs),
        95,
      )
      if (step.audioKeptUp < n)
        stopped = `the steps stopped at ${n} chats, where some chat's audio fell behind or a reply did not come`
      else if (p95 > SATURATED_P95_MS)
        stopped = `the steps stopped at ${n} chats, whose latency p95 (${Math.round(p95)} ms) says the server is saturated`
      if (stopped) break
      write(false)
    }
    write(true)
  } finally {
    await server?.stop('SIGTERM')
    await llm?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
