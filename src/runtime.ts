/**
 * The composition root: builds every service, engine, queue, blob store and worker pool from the
 * Config, once. Entry points (main.ts, worker.ts, the CLI) and tests build a Runtime and hand its
 * parts to `buildApp` or to the queue worker; nothing else constructs a service.
 */
import path from 'node:path'
import { pino, type Logger } from 'pino'
import type { Config } from './config.js'
import { expressionJobs, type ExpressionJobs } from './domains/expression/batch.jobs.js'
import { adoptLegacyBatchData } from './domains/expression/batch.legacy.js'
import { BatchService } from './domains/expression/batch.service.js'
import { StreamService } from './domains/expression/stream/stream.service.js'
import type { ChatDeps } from './domains/evi/chat/chat.deps.js'
import { createChatDeps } from './domains/evi/chat/chat.module.js'
import { ClusterLiveChats, type ClusterChatsOptions } from './domains/evi/chat/cluster-chats.js'
import { OrphanSweep } from './domains/evi/chat/orphan-chats.js'
import { LiveChats } from './domains/evi/chat/live-chats.js'
import { routeAiSdkWarnings } from './domains/evi/llm/warnings.js'
import {
  createChatWebhooks,
  eviWebhookJobs,
  type ChatWebhooks,
  type EviWebhookJobs,
} from './domains/evi/control/webhooks.js'
import { createEviServices, type EviServices } from './domains/evi/evi.services.js'
import {
  createEviHistory,
  eviHistoryJobs,
  type EviHistory,
  type EviHistoryJobs,
} from './domains/evi/history/history.module.js'
import { BASE_VOICE_PRESETS, customVoiceLookup, firstOf, presetVoiceLookup } from './domains/evi/voice-lookup.js'
import { chooseEngine, engineInfo, type EngineChoice } from './domains/tts/engines/engine-select.js'
import { TtsService } from './domains/tts/tts.service.js'
import { Synthesizer } from './domains/tts/tts.synthesizer.js'
import { VoicesService } from './domains/tts/voices.service.js'
import { AccountService } from './shared/auth/accounts.service.js'
import { singleNode, startCluster, type ClusterTimings } from './shared/cluster/cluster.js'
import type { SlotsFactory } from './shared/cluster/slots.js'
import { loadSigningKey } from './shared/auth/signing-key.js'
import { instrumentPool } from './shared/http/metrics-pool.js'
import { sqlQueueDepth } from './shared/http/metrics-queue.js'
import { Metrics } from './shared/http/metrics-registry.js'
import { PageCache } from './shared/http/page-cache.js'
import { standardChecks, type ReadinessCheck } from './shared/http/readiness.js'
import { SocketGuard } from './shared/http/sockets.js'
import type { HealthContributor } from './shared/http/system.routes.js'
import type { JobMap, JobRegistry, Queue } from './shared/queue/queue.js'
import { BullQueue } from './shared/queue/bullmq-queue.js'
import { SqlQueue } from './shared/queue/sql-queue.js'
import { QueueWorker } from './shared/queue/worker.js'
import { createBlobStore, type BlobStore } from './shared/storage/blobs.js'
import { databaseUrlFor, openDb, type Db } from './shared/storage/db.js'
import { migrateToLatest } from './shared/storage/migrate.js'
import { processScratchDir } from './shared/storage/scratch.js'
import { REDACTED_LOG_PATHS } from './shared/log-redaction.js'
import { createInlinePool } from './shared/workers/inline-pool.js'
import { createWorkerPool, type WorkerPool } from './shared/workers/pool.js'
import workerTasks, { type ThreadData } from './worker-tasks.js'
import { eviSpeechVoices, ttsVoiceLookup } from './voice-library.js'

/** Every queue job of the application: the worker's names are this map's keys. */
export type AppJobs = ExpressionJobs & EviWebhookJobs & EviHistoryJobs

export interface RuntimeOptions {
  /** An open, migrated database (tests); otherwise the config's, opened and migrated here. */
  db?: Db
  log?: Logger
  /** The TTS engine; default: Kokoro if its weights are in the models dir, else flite. */
  engine?: EngineChoice
  /** Expression queue worker tuning (tests shorten these). */
  worker?: { concurrency?: number; pollMs?: number; backoffMs?: number }
  /** Server-side fetch deadline, ms. */
  fetchTimeoutMs?: number
  /**
   * Pools whose threads start now, load their engines and stay (a server's first request should
   * not wait for them); the others start threads on demand and let idle ones go.
   */
  warm?: readonly ('tts' | 'batch')[]
  /** EVI chat timings (tests shorten the config's timeouts, which are at least 30 s). */
  evi?: { timeoutScale?: number }
  /** With REDIS_URL: how soon a dead node's slots and chats expire, and other timings (tests shorten them). */
  cluster?: ClusterTimings &
    Pick<ClusterChatsOptions, 'entryTtlMs' | 'requestTimeoutMs' | 'livenessMs' | 'closingWaitMs'> & {
      /** Between two sweeps for chats whose node died, ms (default: a registry entry's lifetime). */
      orphanSweepMs?: number
    }
}

export interface Runtime {
  readonly config: Config
  readonly log: Logger
  readonly db: Db
  readonly blobs: BlobStore
  /** The SQL queue (default) or, with REDIS_URL, BullMQ's: jobs under a transaction then enqueue at its commit. */
  readonly queue: Queue<AppJobs>
  readonly pools: { readonly tts: WorkerPool; readonly batch: WorkerPool }
  readonly accounts: AccountService
  readonly sockets: SocketGuard
  /** Per-account counts (TTS requests in flight): this process's, or with REDIS_URL every node's. */
  readonly slots: SlotsFactory
  readonly pageCache: PageCache | undefined
  readonly evi: EviServices
  /** EVI chats running in this process; with REDIS_URL, also how the control plane reaches other nodes' chats. */
  readonly liveChats: LiveChats
  /** Queues EVI webhook deliveries (chat_started, chat_ended, tool_call). */
  readonly chatWebhooks: ChatWebhooks
  /** EVI chat history: `chats` is the ChatHistory the chat socket writes; the routes read `reader`. */
  readonly eviHistory: EviHistory
  /** What the EVI chat socket needs: its stages, history, voices and limits (the route adds its logger). */
  readonly chat: Omit<ChatDeps, 'log'>
  readonly tts: { service: TtsService; synth: Synthesizer; voices: VoicesService }
  readonly expression: { batch: BatchService; stream: StreamService }
  readonly jobs: JobRegistry<AppJobs>
  readonly health: HealthContributor[]
  /** This runtime's Prometheus metrics (GET /metrics): HTTP, queue, pools, sockets, stage timings. */
  readonly metrics: Metrics
  /** What GET /readyz checks: the database, the queue's storage, the blob store. */
  readonly readiness: Record<string, ReadinessCheck>
  /** Settles once the pools named in `warm` have loaded their engines (a failure is logged, not thrown). */
  readonly warmed: Promise<void>
  /** Starts this process's queue worker (npm start and npm run worker do; tests opt in). */
  startWorkers(): QueueWorker<AppJobs>
  /** Stops workers, then pools, then the database. */
  close(): Promise<void>
}

function pool(
  name: string,
  threads: number,
  data: ThreadData,
  metrics: Metrics,
  o: { niceIncrement: number; maxQueue?: number; maxHeapMb?: number; keepAlive: boolean },
): WorkerPool {
  // 0 threads: the same tasks on the event loop (debugging and profiling only).
  if (threads === 0) return instrumentPool(createInlinePool(name, workerTasks.inline(data)), metrics)
  // The entry next to this module: worker-tasks.ts under tsx and vitest, worker-tasks.js when compiled.
  const entry = new URL(`./worker-tasks${path.extname(new URL(import.meta.url).pathname)}`, import.meta.url)
  return instrumentPool(createWorkerPool({ name, entry, threads, workerData: data, ...o }), metrics)
}

export async function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = opts.log ?? pino({ level: config.logLevel, redact: REDACTED_LOG_PATHS })
  const db = opts.db ?? openDb(databaseUrlFor(config))
  if (!opts.db) await migrateToLatest(db)
  // A scratch dir of this process's own: what a killed process leaves is removed at the next start.
  const scratch = await processScratchDir(config.dataDir)
  const tmpDir = scratch.dir
  const blobs = createBlobStore({ ...config, scratchDir: tmpDir })
  const limits = config.limits
  const engine = opts.engine ?? chooseEngine({ modelsDir: config.modelsDir })
  const media = { ...config.media, fetchAllowList: config.fetchAllowList }
  const data: ThreadData = { tts: engine, expression: { blobDir: config.blobDir, s3: config.s3, tmpDir, media } }
  // Worker threads run at a lower priority than the event loop, so light requests stay quick
  // while every core synthesises or analyses; batch work yields to interactive speech.
  const metrics = new Metrics((collector, err) => log.warn({ err, collector }, 'metrics: a collector failed'))
  // Every task on the threads is timed (TTS synthesis, EVI speech and prosody, batch inference).
  const pools = {
    tts: pool('tts', config.ttsThreads, data, metrics, {
      niceIncrement: 5,
      maxQueue: limits.ttsQueue,
      keepAlive: opts.warm?.includes('tts') ?? false,
    }),
    batch: pool('batch', config.expressionThreads, data, metrics, {
      niceIncrement: 10,
      maxHeapMb: 2048,
      keepAlive: opts.warm?.includes('batch') ?? false,
    }),
  }
  const warming = (opts.warm ?? []).map((name) => {
    const p = pools[name]
    const task = name === 'tts' ? 'tts.warm' : 'expression.warm'
    return Promise.all(Array.from({ length: Math.max(1, p.threads) }, () => p.run(task, {})))
  })
  let closing = false
  // A failed warm-up (say, a broken model file) is logged; requests then report it themselves. One
  // cut short by a shutdown is not a failure.
  const warmed = Promise.all(warming).then(
    () => {},
    (err: unknown) => {
      if (!closing) log.error({ err }, 'warming the worker threads failed')
    },
  )
  const redis = config.redisUrl ? BullQueue.connect(config.redisUrl) : undefined
  // ioredis reconnects by itself; without a listener its errors would crash the process.
  redis?.on('error', (err) => log.warn({ err }, 'queue: redis connection error'))
  const bull =
    redis && new BullQueue<AppJobs>(redis, { prefix: config.redisPrefix, log: log.child({ component: 'queue' }) })
  const queue: Queue<AppJobs> = bull ?? new SqlQueue<AppJobs>(db.kysely)
  // Read at scrape time, when `jobs` (below) names every queue.
  metrics.watchQueue(bull ? () => bull.depth(Object.keys(jobs)) : sqlQueueDepth(db.kysely))
  metrics.watchPools(() => [pools.tts.stats(), pools.batch.stats()])
  const onJobEnd = metrics.jobFinished.bind(metrics)
  // Each domain only enqueues its own jobs; a Queue<AppJobs> is not a Queue<Its jobs> to the type
  // checker because claim() could hand back another domain's job, which producers never call.
  const producer = <M extends JobMap>() => queue as unknown as Queue<M>
  const accounts = new AccountService(db.kysely, config.tokenTtlSeconds)
  // With REDIS_URL the API nodes share per-account limits and reach each other's EVI chats; the
  // queue's connection serves commands too (the bus duplicates it to subscribe).
  const clusterLog = log.child({ component: 'cluster' })
  const cluster = redis
    ? await startCluster(redis, { prefix: config.redisPrefix, log: clusterLog, ...opts.cluster })
    : singleNode
  const sockets = new SocketGuard(
    limits,
    cluster.bus ? { slots: cluster.slots('sockets', limits.wsSocketsPerAccount), log: clusterLog } : undefined,
  )

  // EVI configs may name any voice of the TTS library (first: those Prosodia can speak), EVI's
  // legacy base voices, and the account's EVI custom voices.
  const voiceLookup = firstOf(
    ttsVoiceLookup(db.kysely),
    presetVoiceLookup(BASE_VOICE_PRESETS),
    customVoiceLookup(db.kysely),
  )
  const evi = createEviServices(db.kysely, voiceLookup, {
    configBytes: limits.eviConfigBytes,
    pageBytes: limits.pageBytes,
  })
  const info = engineInfo(engine)
  const voices = new VoicesService(db.kysely)
  const tts = {
    service: new TtsService(db.kysely, info, voices, { maxRequestChars: limits.ttsRequestChars }),
    synth: new Synthesizer(pools.tts, info),
    voices,
  }
  const fetch = { allowList: config.fetchAllowList, timeoutMs: opts.fetchTimeoutMs ?? 30_000 }
  const batch = new BatchService({
    db: db.kysely,
    queue: producer<ExpressionJobs>(),
    blobs,
    pool: pools.batch,
    limits,
    fetchAllowList: config.fetchAllowList,
  })
  // Webhooks and audio URLs are signed (and checked) by every process, API and `npm run worker`
  // alike: all read the one key, from the config or the data dir.
  const signingKey = await loadSigningKey({ configured: config.evi.signingKey, dataDir: config.dataDir, db: db.kysely })
  const historyDeps = {
    db: db.kysely,
    queue: producer<EviHistoryJobs>(),
    blobs,
    pool: pools.batch,
    tmpDir,
    limits,
    signingKey,
    // S3_PRESIGNED_URLS: signed_audio_url points at the bucket itself.
    presign: config.s3?.presignedUrls ? blobs.presignedGetUrl?.bind(blobs) : undefined,
    log: log.child({ domain: 'evi.history' }),
  }
  const eviHistory = createEviHistory(historyDeps)
  const jobs: JobRegistry<AppJobs> = {
    ...eviHistoryJobs(historyDeps),
    ...eviWebhookJobs({ signingKey, fetch, log: log.child({ domain: 'evi.webhooks' }) }),
    ...expressionJobs({
      db: db.kysely,
      queue: producer<ExpressionJobs>(),
      blobs,
      pool: pools.batch,
      limits,
      fetch,
      log: log.child({ domain: 'expression' }),
      now: Date.now,
    }),
  }
  const chatWebhooks = createChatWebhooks({
    queue: producer<EviWebhookJobs>(),
    allowList: config.fetchAllowList,
    log: log.child({ domain: 'evi.webhooks' }),
  })
  await adoptLegacyBatchData(db.kysely, blobs, log)
  // The AI SDK would print its warnings to the console; they go to the log instead.
  routeAiSdkWarnings(log.child({ domain: 'evi.llm' }))
  const liveChats =
    redis && cluster.bus
      ? new ClusterLiveChats({
          bus: cluster.bus,
          redis,
          slots: cluster.slots('evi-chats', limits.eviChatsPerAccount),
          log: clusterLog,
          ...opts.cluster,
        })
      : new LiveChats()
  const orphanSweep =
    liveChats instanceof ClusterLiveChats
      ? new OrphanSweep({
          history: eviHistory.chats,
          live: liveChats,
          log: clusterLog,
          everyMs: opts.cluster?.orphanSweepMs ?? liveChats.entryTtlMs,
        })
      : undefined
  // Chats left ACTIVE by a process that died mid-chat: none can still be running past the longest chat.
  const stale = await eviHistory.chats.endStaleChats(Date.now() - (limits.eviChatSeconds + 300) * 1000)
  if (stale > 0) log.warn({ chats: stale }, 'evi: ended chats left active by a stopped process (status ERROR)')
  const chat = createChatDeps({
    config,
    log,
    pools,
    configs: {
      get: (accountId, id, version) =>
        version === undefined ? evi.configs.getLatest(accountId, id) : evi.configs.getVersion(accountId, id, version),
    },
    history: eviHistory.chats,
    live: liveChats,
    voices: eviSpeechVoices(db.kysely, voices),
    webhooks: chatWebhooks,
    timings: opts.evi,
    onTurnLatency: (l) => metrics.turnLatency(l),
  })

  const workers: QueueWorker<AppJobs>[] = []
  /** Workers for a domain's own jobs beside each main worker (not counted in /healthz's `workers`). */
  const sideWorkers: QueueWorker<AppJobs>[] = []
  const health: HealthContributor[] = [
    () => ({ tts: { engine: info.name, sample_rate: info.sampleRate } }),
    () => ({
      workers: { tts: pools.tts.stats(), batch: pools.batch.stats() },
      // Queue workers running in this process (npm run api: none) and jobs they hold.
      queue: { workers: workers.length, running: [...workers, ...sideWorkers].reduce((n, w) => n + w.busy, 0) },
      sockets: sockets.count(),
    }),
  ]
  return {
    config,
    log,
    db,
    blobs,
    queue,
    pools,
    accounts,
    sockets,
    slots: cluster.slots,
    pageCache: config.pageCacheBytes > 0 ? new PageCache(config.pageCacheBytes) : undefined,
    evi,
    liveChats,
    chat,
    chatWebhooks,
    eviHistory,
    tts,
    // The streaming socket's payloads run on the batch pool too.
    expression: { batch, stream: new StreamService(pools.batch) },
    jobs,
    health,
    metrics,
    readiness: {
      ...standardChecks(db.kysely, blobs),
      ...(bull && { queue: () => bull.ping() }),
    },
    warmed,
    startWorkers() {
      const w = opts.worker ?? {}
      const worker = new QueueWorker(queue, jobs, log.child({ component: 'queue' }), {
        // Jobs wait on threads, not the other way round: a few more jobs than threads keeps them busy.
        concurrency: w.concurrency ?? Math.max(2, pools.batch.threads * 2),
        leaseMs: config.queueLeaseMs,
        pollMs: w.pollMs ?? 500,
        backoffMs: w.backoffMs ?? 1000,
        onJobEnd,
      })
      worker.start()
      workers.push(worker)
      // EVI's own jobs (webhooks, audio reconstruction) also have a worker of their own, so a chat's
      // webhooks never wait behind an hour of batch video holding every slot of the main one.
      const eviJobs = Object.fromEntries(Object.entries(jobs).filter(([name]) => name.startsWith('evi.')))
      const eviWorker = new QueueWorker(queue, eviJobs as JobRegistry<AppJobs>, log.child({ component: 'queue.evi' }), {
        concurrency: 4,
        leaseMs: config.queueLeaseMs,
        pollMs: w.pollMs ?? 500,
        backoffMs: w.backoffMs ?? 1000,
        onJobEnd,
      })
      eviWorker.start()
      sideWorkers.push(eviWorker)
      return worker
    },
    async close() {
      closing = true
      const t0 = Date.now()
      await Promise.all([...workers, ...sideWorkers].map((w) => w.stop()))
      log.info({ ms: Date.now() - t0 }, 'queue workers stopped')
      // Chats closed by the HTTP server's shutdown are still writing their history and recordings.
      await liveChats.settled()
      await orphanSweep?.stop()
      await liveChats.close()
      await cluster.close()
      await bull?.close()
      redis?.disconnect()
      await Promise.all([pools.tts.close(), pools.batch.close()])
      log.info({ ms: Date.now() - t0 }, 'worker threads stopped')
      if (!opts.db) await db.close()
      await scratch.remove()
    },
  }
}
