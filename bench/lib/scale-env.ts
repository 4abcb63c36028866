// What every part of the scale-out benchmark shares: a quiet machine before each run, the job texts,
// the CPU time of processes (from /proc), and a fresh PostgreSQL database (and Redis) per run.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freshDatabaseUrl } from '../../test/helpers/dialects.js'
import { startRedis, type TestRedis } from '../../test/helpers/redis.js'

/** The brief's threshold: other agents share these 2 cores, so runs wait for them to calm down. */
export const QUIET_LOAD = 1.5
const QUIET_POLL_MS = 30_000
const QUIET_MAX_MS = 10 * 60_000

export interface LoadRecord {
  /** os.loadavg() when the run started (after any wait). */
  load: [number, number, number]
  /** Seconds spent waiting for the 1-minute load average to drop to QUIET_LOAD or below. */
  waitedS: number
}

/**
 * Waits (polling every 30 s, at most 10 min) until the 1-minute load average is at most 1.5, then
 * returns it. After 10 min it runs anyway: the record says how loaded the machine was.
 */
export async function waitForQuiet(label: string): Promise<LoadRecord> {
  const t0 = Date.now()
  while (os.loadavg()[0]! > QUIET_LOAD && Date.now() - t0 < QUIET_MAX_MS) {
    console.log(`${label}: load average ${os.loadavg()[0]!.toFixed(2)} > ${QUIET_LOAD}, waiting 30 s`)
    await new Promise((r) => setTimeout(r, QUIET_POLL_MS))
  }
  const [a, b, c] = os.loadavg() as [number, number, number]
  return { load: [a, b, c], waitedS: (Date.now() - t0) / 1000 }
}

export const fmtLoad = (l: LoadRecord) =>
  `${l.load.map((x) => x.toFixed(2)).join(' / ')}${l.waitedS >= 1 ? ` (after waiting ${Math.round(l.waitedS)} s)` : ''}`

const SUBJECTS = [
  'The old sailor',
  'My sister',
  'Our new neighbour',
  'The tired doctor',
  'A small child',
  'The team captain',
  'Your landlord',
  'The night nurse',
  'His grandfather',
  'The quiet student',
]
const VERBS = [
  'laughed about',
  'complained about',
  'was thrilled by',
  'worried about',
  'could not believe',
  'was furious about',
  'felt grateful for',
  'was bored by',
  'got excited about',
  'was disappointed by',
]
const OBJECTS = [
  'the broken heater',
  'the surprise party',
  'the long delay',
  'the final exam',
  'the stray dog',
  'the rainy weekend',
  'the unexpected gift',
  'the noisy concert',
  'the new schedule',
  'the burnt dinner',
]
const TIMES = [
  'this morning',
  'last night',
  'yesterday',
  'again today',
  'all week',
  'on Sunday',
  'after lunch',
  'before the meeting',
  'at the station',
  'during the storm',
]

/** Sentence `i` of 10,000 distinct ones (each digit of i picks one part), so no two jobs in a run match. */
export function sentence(i: number): string {
  const d = (k: number) => Math.floor(i / 10 ** k) % 10
  return `${SUBJECTS[d(0)]} ${VERBS[d(1)]} ${OBJECTS[d(2)]} ${TIMES[d(3)]}.`
}

/** CPU seconds (user + system, all threads) a process has used so far; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the command.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return NaN
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK); Node has no API for it. */
const CLOCK_TICKS = 100

/** Busy and total CPU seconds of the whole machine so far (all cores, from /proc/stat). */
export function machineCpu(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!
  const [, ...nums] = line.trim().split(/\s+/)
  const v = nums.map(Number)
  const idle = (v[3] ?? 0) + (v[4] ?? 0) // idle + iowait
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0)
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS }
}

export interface Stack {
  databaseUrl: string
  dataDir: string
  redis: TestRedis | undefined
  close(): Promise<void>
}

/** A fresh PostgreSQL database, a fresh data directory and, for BullMQ, a redis-server of its own. */
export async function freshStack(queue: 'sql' | 'bullmq'): Promise<Stack> {
  const db = await freshDatabaseUrl('postgres')
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-bench-scale-'))
  const redis = queue === 'bullmq' ? await startRedis() : undefined
  return {
    databaseUrl: db.url,
    dataDir,
    redis,
    async close() {
      await redis?.stop()
      await db.drop()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
