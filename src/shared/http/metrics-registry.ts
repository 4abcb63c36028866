/**
 * Every Prometheus metric of one runtime, on a registry of its own: tests build many runtimes and
 * apps in one process, and prom-client's global registry refuses a second metric of the same name.
 * Counters and histograms are incremented where things happen (HTTP hooks, the queue worker, the
 * worker pools); gauges of state held elsewhere (queue table, pools) are read at scrape time.
 *
 * Every label is bounded: route patterns (never raw URLs), job and task names (from code),
 * pool names, status classes, outcomes. Nothing carries ids, accounts or user input.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { JobOutcome } from '../queue/worker.js'
import type { PoolStats } from '../workers/pool.js'

/** Jobs in the queue by name and state: one grouped read of the queue's storage. */
export interface QueueDepthRow {
  name: string
  /** ready (runnable now), delayed (a retry or a delayed job), leased (running), dead. */
  state: string
  count: number
}

export type QueueDepthSource = () => Promise<QueueDepthRow[]>

/** Seconds: fast routes (ms) to long synthesis and uploads (tens of seconds). */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
/** Jobs run from milliseconds (a webhook) to an hour (a long video). */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600]
const TASK_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120]

/** Longest wait for the queue's counts during a scrape. */
const COLLECT_TIMEOUT_MS = 2000

let processRegistry: Registry | undefined

/**
 * Process-wide metrics (CPU, memory, event-loop lag, GC) describe the process, not an app, so one
 * registry per process holds them: collecting them per runtime would add a GC observer and an
 * event-loop monitor for every app a test suite builds, none of which is ever removed.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}

export class Metrics {
  readonly registry = new Registry()
  readonly httpRequests: Counter<'method' | 'route' | 'status_class'>
  readonly httpDuration: Histogram<'method' | 'route' | 'status_class'>
  readonly jobOutcomes: Counter<'name' | 'outcome'>
  readonly jobDuration: Histogram<'name' | 'outcome'>
  readonly taskDuration: Histogram<'pool' | 'task' | 'outcome'>
  readonly taskFirstMessage: Histogram<'pool' | 'task'>
  readonly eviTurnStage: Histogram<'stage'>
  readonly websockets: Gauge<'route'>
  readonly collectErrors: Counter<'collector'>
  private readonly queueJobs: Gauge<'name' | 'state'>
  private queueDepth: QueueDepthSource | undefined
  private pools: (() => PoolStats[]) | undefined
  /** Label sets reported before: a state that empties reports 0 instead of vanishing. */
  private readonly seenDepth = new Set<string>()

  constructor(private readonly onCollectError: (collector: string, err: unknown) => void = () => {}) {
    const registers = [this.registry]
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status class',
      labelNames: ['method', 'route', 'status_class'],
      registers,
    })
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status class',
      labelNames: ['method', 'route', 'status_class'],
      buckets: HTTP_BUCKETS,
      registers,
    })
    this.jobOutcomes = new Counter({
      name: 'prosodia_queue_job_outcomes_total',
      help: 'Queue job deliveries run in this process, by job name and outcome',
      labelNames: ['name', 'outcome'],
      registers,
    })
    this.jobDuration = new Histogram({
      name: 'prosodia_queue_job_duration_seconds',
      help: 'Time one delivery of a queue job ran in this process, by job name and outcome',
      labelNames: ['name', 'outcome'],
      buckets: JOB_BUCKETS,
      registers,
    })
    this.taskDuration = new Histogram({
      name: 'prosodia_worker_task_duration_seconds',
      help: 'Worker-thread task time including the wait for a thread (TTS synthesis, EVI speech, inference...), by pool, task and outcome',
      labelNames: ['pool', 'task', 'outcome'],
      buckets: TASK_BUCKETS,
      registers,
    })
    this.taskFirstMessage = new Histogram({
      name: 'prosodia_worker_task_first_message_seconds',
      help: 'Time to the first message of a streaming worker task (e.g. first audio of a TTS stream), by pool and task',
      labelNames: ['pool', 'task'],
      buckets: TASK_BUCKETS,
      registers,
    })
    this.eviTurnStage = new Histogram({
      name: 'prosodia_evi_turn_stage_seconds',
      help: "EVI replies: time from the end of the user's speech to the transcript (ASR), the model's first token (LLM) and the first audio (TTS)",
      labelNames: ['stage'],
      buckets: TASK_BUCKETS,
      registers,
    })
    this.websockets = new Gauge({
      name: 'prosodia_websocket_connections',
      help: 'WebSocket connections open on this process, by route pattern',
      labelNames: ['route'],
      registers,
    })
    this.collectErrors = new Counter({
      name: 'prosodia_metrics_collect_errors_total',
      help: 'Scrapes in which a collector could not read its source (e.g. the database was down)',
      labelNames: ['collector'],
      registers,
    })
    this.queueJobs = new Gauge({
      name: 'prosodia_queue_jobs',
      help: 'Jobs in the queue by job name and state (ready, delayed, leased, dead), read at scrape time',
      labelNames: ['name', 'state'],
      registers,
    })
    const pools = () => this.pools?.() ?? []
    const poolGauge = (name: string, help: string, value: (s: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['pool'],
        registers,
        collect() {
          this.reset()
          for (const s of pools()) this.set({ pool: s.name }, value(s))
        },
      })
    poolGauge(
      'prosodia_worker_pool_utilization',
      'Fraction of thread time spent running tasks since the pool started (piscina utilization, 0..1)',
      (s) => s.utilization,
    )
    poolGauge('prosodia_worker_pool_queued_tasks', 'Tasks waiting for a free worker thread', (s) => s.queued)
    poolGauge('prosodia_worker_pool_threads', 'Worker threads running in the pool', (s) => s.threads)
  }

  /** Where the queue-depth gauge reads from (the SQL queue table, or another queue's counts). */
  watchQueue(source: QueueDepthSource): void {
    this.queueDepth = source
  }

  /** Where the worker-pool gauges read from. */
  watchPools(stats: () => PoolStats[]): void {
    this.pools = stats
  }

  /** Records one job delivery's end (the queue worker calls this). */
  /** One EVI reply's stage marks: seconds from the end of the user's speech to each stage's result. */
  turnLatency(l: { endOfSpeech: number; transcript?: number; firstToken?: number; firstAudio?: number }): void {
    const stages = { transcript: l.transcript, first_token: l.firstToken, first_audio: l.firstAudio }
    for (const [stage, at] of Object.entries(stages))
      if (at !== undefined) this.eviTurnStage.observe({ stage }, Math.max(0, at - l.endOfSpeech) / 1000)
  }

  jobFinished(name: string, outcome: JobOutcome, seconds: number): void {
    this.jobOutcomes.inc({ name, outcome })
    this.jobDuration.observe({ name, outcome }, seconds)
  }

  /** The Prometheus text exposition: this runtime's metrics, then the process's. */
  async scrape(): Promise<string> {
    // Read before the registry is serialised (prom-client collects metrics concurrently), so a failed
    // read shows in the error counter of this very scrape.
    await this.collectQueue(this.queueJobs)
    const own = await this.registry.metrics()
    return `${own}\n${await processMetrics().metrics()}`
  }

  get contentType(): string {
    return this.registry.contentType
  }

  private async collectQueue(gauge: Gauge<'name' | 'state'>): Promise<void> {
    if (!this.queueDepth) return
    let rows: QueueDepthRow[]
    let timer: NodeJS.Timeout | undefined
    try {
      // A hung database must not hang the scrape: Prometheus would drop every metric with it.
      rows = await Promise.race([
        this.queueDepth(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${COLLECT_TIMEOUT_MS} ms`)), COLLECT_TIMEOUT_MS)
        }),
      ])
    } catch (err) {
      // A scrape still answers (process and HTTP metrics matter most when the database is down);
      // the queue gauge is left out rather than reporting stale counts.
      gauge.reset()
      this.collectErrors.inc({ collector: 'queue' })
      this.onCollectError('queue', err)
      return
    } finally {
      clearTimeout(timer)
    }
    for (const key of this.seenDepth) {
      const [name, state] = JSON.parse(key) as [string, string]
      gauge.set({ name, state }, 0)
    }
    for (const r of rows) {
      gauge.set({ name: r.name, state: r.state }, r.count)
      this.seenDepth.add(JSON.stringify([r.name, r.state]))
    }
  }
}
