// Runs spoken chats against a server for the EVI chat benchmark: one chat turn after turn (latency),
// or N chats at once (concurrency), with the server's CPU, a /healthz probe and this process's
// own event-loop delay measured alongside, so a slow figure can be told apart from a busy client.
import { readdirSync, readFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { BenchChat } from './bench-chat.js'
import {
  attachServerLatencies,
  failedTurn,
  percentile,
  runTurn,
  serverLatencies,
  type TurnResult,
} from './chat-turns.js'
import type { Clip } from './clips.js'
import { startProbe } from './http-probe.js'
import type { LlmRecord } from './scripted-llm.js'

export interface LoadTarget {
  /** http://127.0.0.1:PORT */
  baseUrl: string
  apiKey: string
  serverPid: number
  clips: Clip[]
  silence: string
  llmRecords: readonly LlmRecord[]
  replyTimeoutMs: number
  gapMs: number
}

export interface ChatsRun {
  turns: TurnResult[]
  /** Server messages that failed the strict SubscribeEvent parse. */
  invalid: string[]
}

export function chatUrl(t: LoadTarget, configId: string, tag: string): string {
  const u = new URL('/v0/evi/chat', t.baseUrl.replace(/^http/, 'ws'))
  const q = u.searchParams
  q.set('config_id', configId)
  q.set('api_key', t.apiKey)
  q.set('session_settings[audio][encoding]', 'linear16')
  q.set('session_settings[audio][sample_rate]', String(t.clips[0]!.sampleRate))
  q.set('session_settings[audio][channels]', '1')
  q.set('session_settings[variables][tag]', tag)
  return u.toString()
}

/** One chat speaking `turns` clips in a row (the clips cycled from `firstClip`). */
export async function oneChat(
  t: LoadTarget,
  o: { configId: string; tag: string; turns: number; index?: number; firstClip?: number; delayMs?: number },
): Promise<ChatsRun> {
  const chat = await BenchChat.open(chatUrl(t, o.configId, o.tag), t.silence)
  const turns: TurnResult[] = []
  try {
    if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs))
    for (let i = 0; i < o.turns; i++) {
      const clip = t.clips[((o.firstClip ?? 0) + i) % t.clips.length]!
      const r = await runTurn(chat, clip, {
        chat: o.index ?? 0,
        turn: i,
        tag: o.tag,
        llmRecords: t.llmRecords,
        replyTimeoutMs: t.replyTimeoutMs,
        gapMs: t.gapMs,
      })
      turns.push(r)
      if (!chat.open) break
    }
  } finally {
    await chat.close()
  }
  attachServerLatencies(turns, await serverLatencies(t.baseUrl, t.apiKey, chat.chatId))
  return { turns, invalid: chat.invalid }
}

/** [ppid, CPU ticks of the process and its reaped children] from /proc/PID/stat, or undefined once gone. */
function procStat(pid: number): [number, number] | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // Fields after the command's closing parenthesis, from `state` (field 3 of proc(5)): ppid is field 4,
  // utime, stime, cutime and cstime are fields 14-17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return [Number(f[1]), [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0)]
}

/**
 * CPU seconds of a process and all its descendants, live or reaped (the recognisers are child
 * processes; a live one's time is not in its parent's figures until it is reaped).
 */
function cpuSeconds(pid: number): number {
  const parents = new Map<number, number[]>()
  const ticks = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const st = procStat(Number(name))
    if (!st) continue
    ticks.set(Number(name), st[1])
    parents.set(st[0], [...(parents.get(st[0]) ?? []), Number(name)])
  }
  let total = 0
  const stack = [pid]
  while (stack.length) {
    const p = stack.pop()!
    total += ticks.get(p) ?? 0
    stack.push(...(parents.get(p) ?? []))
  }
  return total / 100
}

export interface LoadStep extends ChatsRun {
  chats: number
  /** Chats whose every turn had a reply under the latency limit and audio ahead of real time. */
  keptUp: number
  /** Chats whose every turn had a reply with audio ahead of real time, however late it began. */
  audioKeptUp: number
  wallSeconds: number
  /** Cores the server kept busy on average (1 = one core all the time). */
  serverCores: number
  /** Cores this process (the clients) kept busy. */
  clientCores: number
  probe: ProbeFigures
  /** This process's event-loop delay p99 (ms): the clients' own lateness. */
  clientLoopP99: number
}

export interface KeepUpRule {
  maxLatencyMs: number
  /** How far behind real time the reply audio may fall (timer jitter), ms. */
  underrunSlackMs: number
}

/** The turn had its reply, and the reply's audio never fell behind real time. */
export function turnAudioKeepsUp(r: TurnResult, rule: KeepUpRule): boolean {
  return !r.failure && r.firstAudioAt !== undefined && r.underrunMs <= rule.underrunSlackMs
}

/** That, and the reply began within the latency limit. */
export function turnKeepsUp(r: TurnResult, rule: KeepUpRule): boolean {
  const latency = r.latencyMs ?? r.totalMs
  return turnAudioKeepsUp(r, rule) && latency !== undefined && latency < rule.maxLatencyMs
}

export interface ProbeFigures {
  p50: number
  p99: number
  max: number
  failures: number
}

function probeFigures(r: { latencies: number[]; failures: number }): ProbeFigures {
  return {
    p50: percentile(r.latencies, 50),
    p99: percentile(r.latencies, 99),
    max: percentile(r.latencies, 100),
    failures: r.failures,
  }
}

/** The /healthz probe against the idle server: the machine's own noise, to read the steps against. */
export async function idleProbe(t: LoadTarget, seconds: number): Promise<ProbeFigures> {
  const probe = await startProbe({ url: `${t.baseUrl}/healthz`, intervalMs: 100 })
  await new Promise((r) => setTimeout(r, seconds * 1000))
  return probeFigures(await probe.stop())
}

/** N chats at once, each speaking `turns` clips; their starts spread over `staggerMs`. */
export async function loadStep(
  t: LoadTarget,
  o: { configId: string; chats: number; turns: number; staggerMs: number; rule: KeepUpRule },
): Promise<LoadStep> {
  const probe = await startProbe({ url: `${t.baseUrl}/healthz`, intervalMs: 100 })
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const cpu0 = cpuSeconds(t.serverPid)
  const client0 = process.cpuUsage()
  const wall0 = performance.now()
  const runs = await Promise.all(
    Array.from({ length: o.chats }, (_, i) =>
      oneChat(t, {
        configId: o.configId,
        tag: `n${o.chats}-c${i}`,
        turns: o.turns,
        index: i,
        firstClip: i,
        delayMs: (i * o.staggerMs) / o.chats,
      }).catch((err: Error) => ({ turns: [failedTurn(i, `the chat did not open (${err.message})`)], invalid: [] })),
    ),
  )
  const wallSeconds = (performance.now() - wall0) / 1000
  const serverCores = (cpuSeconds(t.serverPid) - cpu0) / wallSeconds
  const used = process.cpuUsage(client0)
  loop.disable()
  const probed = await probe.stop()
  return {
    chats: o.chats,
    turns: runs.flatMap((r) => r.turns),
    invalid: runs.flatMap((r) => r.invalid),
    keptUp: runs.filter((r) => r.turns.length === o.turns && r.turns.every((x) => turnKeepsUp(x, o.rule))).length,
    audioKeptUp: runs.filter((r) => r.turns.length === o.turns && r.turns.every((x) => turnAudioKeepsUp(x, o.rule)))
      .length,
    wallSeconds,
    serverCores,
    clientCores: (used.user + used.system) / 1e6 / wallSeconds,
    probe: probeFigures(probed),
    clientLoopP99: loop.percentile(99) / 1e6,
  }
}
