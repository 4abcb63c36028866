/**
 * Queue handlers of the batch API: `expression.inference` runs a job,
 * `expression.callback` delivers its outcome to callback_url. Both are
 * idempotent: a job re-delivered after a crash resumes and finishes once.
 */
import type { Logger } from 'pino'
import type { Queue } from '../../shared/queue/queue.js'
import type { AnyKysely } from '../../shared/queue/sql-queue.js'
import type { DeadHandlers, Handlers } from '../../shared/queue/worker.js'
import { safeFetch } from '../../shared/net/safe-fetch.js'
import { expand, fetchUrl, sniff, type ExpandedSource, type InputFile, type InputLimits } from './batch.inputs.js'
import type { ModelSelection } from './batch.predict.js'
import * as repo from './batch.repo.js'
import type { Granularity, InferencePrediction, InferenceRequest, SourceResult } from './batch.schemas.js'
import { toPredictions } from './batch.service.js'
import type { InferencePool } from './inference-pool.js'

export type ExpressionJobs = {
  'expression.inference': { v: 1; jobId: string }
  'expression.callback': { v: 1; jobId: string }
}
export const EXPRESSION_JOB_NAMES = ['expression.inference', 'expression.callback'] as const

export interface BatchRuntime {
  db: AnyKysely
  queue: Queue<ExpressionJobs>
  pool: InferencePool
  limits: InputLimits
  log: Logger
  now: () => number
}

/** The models this server runs for a request (its `models` already has defaults filled in). */
export function selectModels(models: InferenceRequest['models']): ModelSelection {
  const sel: ModelSelection = {}
  const language = models.language as { granularity?: Granularity | null } | null | undefined
  if (language) sel.language = { granularity: language.granularity ?? 'word' }
  if (models.ner) sel.ner = {}
  return sel
}

async function predictFiles(rt: BatchRuntime, expanded: ExpandedSource, sel: ModelSelection) {
  const predictions: InferencePrediction[] = []
  const errors = [...expanded.errors]
  const run = async (f: InputFile) => {
    const s = sniff(f.data)
    if (s.kind === 'text') {
      if (!sel.language && !sel.ner) {
        errors.push({
          file: f.name,
          message: 'none of the requested models applies to text (this server runs language and ner)',
        })
        return
      }
      predictions.push({ file: f.name, file_type: 'text', models: await rt.pool.predict(s.text, sel) })
    } else if (s.kind === 'media') {
      errors.push({
        file: f.name,
        message: `${s.mime} needs the face, burst or prosody models, which this server does not provide (it runs language and ner)`,
      })
    } else {
      errors.push({ file: f.name, message: 'unsupported file type: not UTF-8 text, a known media type or an archive' })
    }
  }
  for (const f of expanded.files) await run(f)
  return { predictions, errors }
}

async function runInference(rt: BatchRuntime, jobId: string): Promise<void> {
  const row = await repo.getJobById(rt.db, jobId)
  if (!row || row.status === 'COMPLETED' || row.status === 'FAILED') return
  const log = rt.log.child({ jobId })
  await repo.markStarted(rt.db, jobId, rt.now())
  const request = JSON.parse(row.request) as InferenceRequest
  const sel = selectModels(request.models)
  try {
    const results: SourceResult[] = []
    for (const url of request.urls) {
      results.push({
        source: { type: 'url', url },
        results: await predictFiles(rt, await fetchUrl(url, rt.limits), sel),
      })
    }
    for (const up of await repo.getUploads(rt.db, jobId)) {
      const expanded = await expand(up.filename, Buffer.from(up.data, 'base64'), rt.limits)
      results.push({
        source: { type: 'file', filename: up.filename, content_type: up.content_type, md5sum: up.md5sum },
        results: await predictFiles(rt, expanded, sel),
      })
    }
    for (const text of request.text) {
      const expanded = { files: [{ name: 'text', data: Buffer.from(text, 'utf8') }], errors: [] }
      results.push({ source: { type: 'text' }, results: await predictFiles(rt, expanded, sel) })
    }
    const numPredictions = results.reduce((n, r) => n + r.results.predictions.length, 0)
    const numErrors = results.reduce((n, r) => n + r.results.errors.length, 0)
    await repo.markCompleted(rt.db, jobId, {
      now: rt.now(),
      predictions: JSON.stringify(results),
      numPredictions,
      numErrors,
    })
    log.info({ numPredictions, numErrors }, 'batch job completed')
  } catch (err) {
    log.error({ err }, 'batch job failed')
    await repo.markFailed(rt.db, jobId, rt.now(), 'internal error while processing the job')
  }
  if (request.callback_url) await rt.queue.enqueue('expression.callback', { v: 1, jobId }, { key: `callback:${jobId}` })
}

/** POSTs the finished job to its callback_url; a non-2xx answer throws so the queue retries with backoff. */
async function sendCallback(rt: BatchRuntime, jobId: string): Promise<void> {
  const row = await repo.getJobById(rt.db, jobId)
  if (!row) return
  const request = JSON.parse(row.request) as InferenceRequest
  if (!request.callback_url) return
  const body =
    row.status === 'COMPLETED'
      ? { job_id: jobId, status: row.status, predictions: toPredictions(row) }
      : { job_id: jobId, status: row.status, message: row.message ?? '' }
  const res = await safeFetch(request.callback_url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    allowList: rt.limits.allowList,
    timeoutMs: rt.limits.fetchTimeoutMs,
    maxBytes: 64 * 1024,
  })
  if (res.status < 200 || res.status >= 300) throw new Error(`callback answered HTTP ${res.status}`)
}

/** When a job's every attempt failed (e.g. the database kept failing mid-job), it ends FAILED, not IN_PROGRESS. */
export function expressionDeadHandlers(rt: BatchRuntime): DeadHandlers<ExpressionJobs> {
  return {
    'expression.inference': async (p) => {
      const row = await repo.getJobById(rt.db, p.jobId)
      if (!row || row.status === 'COMPLETED' || row.status === 'FAILED') return
      await repo.markFailed(rt.db, p.jobId, rt.now(), 'the job failed on every attempt')
    },
  }
}

export function expressionHandlers(rt: BatchRuntime): Handlers<ExpressionJobs> {
  return {
    'expression.inference': async (p) => {
      if (p.v !== 1) throw new Error(`unknown payload version ${p.v}`)
      await runInference(rt, p.jobId)
    },
    'expression.callback': async (p) => {
      if (p.v !== 1) throw new Error(`unknown payload version ${p.v}`)
      await sendCallback(rt, p.jobId)
    },
  }
}
