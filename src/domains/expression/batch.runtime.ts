/** Wires the batch worker: queue, handlers, inference pool and input limits. */
import type { FastifyBaseLogger } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from '../../config.js'
import { DEFAULT_LIMITS } from '../../shared/archive/extract.js'
import { SqlQueue, type AnyKysely } from '../../shared/queue/sql-queue.js'
import type { JobMap } from '../../shared/queue/queue.js'
import { QueueWorker, type DeadHandlers } from '../../shared/queue/worker.js'
import type { InputLimits } from './batch.inputs.js'
import { EXPRESSION_JOB_NAMES, expressionDeadHandlers, expressionHandlers, type ExpressionJobs } from './batch.jobs.js'
import { createInferencePool } from './inference-pool.js'

export interface BatchTuning {
  /** Inference threads; 0 runs inference in-process. Default: one per core. */
  threads?: number
  /** Jobs processed at once by this process. */
  concurrency?: number
  /** How long a claimed job stays leased without a heartbeat (crash recovery delay). */
  leaseMs?: number
  pollMs?: number
  /** Base delay of retries (callbacks), ms. */
  backoffMs?: number
  limits?: Partial<InputLimits>
}

export function startBatchRuntime(db: AnyKysely, config: Config, appLog: FastifyBaseLogger, tuning: BatchTuning = {}) {
  const log = appLog.child({ domain: 'expression' }) as unknown as Logger
  const limits: InputLimits = {
    allowList: config.fetchAllowList,
    maxDownloadBytes: 100 * 1024 * 1024,
    fetchTimeoutMs: 30_000,
    archive: DEFAULT_LIMITS,
    ...tuning.limits,
  }
  const pool = createInferencePool(log, tuning.threads)
  const queue = new SqlQueue<ExpressionJobs>(db)
  const handlers = expressionHandlers({ db, queue, pool, limits, log, now: Date.now })
  const worker = new QueueWorker(queue, handlers, EXPRESSION_JOB_NAMES, log, {
    concurrency: tuning.concurrency ?? Math.max(2, pool.threads * 2),
    leaseMs: tuning.leaseMs ?? 30_000,
    pollMs: tuning.pollMs ?? 500,
    backoffMs: tuning.backoffMs ?? 1000,
    onDead: expressionDeadHandlers({ db, queue, pool, limits, log, now: Date.now }) as DeadHandlers<JobMap>,
  })
  return {
    limits,
    worker,
    async stop() {
      await worker.stop()
      await pool.close()
    },
  }
}
