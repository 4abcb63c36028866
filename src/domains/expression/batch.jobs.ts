/**
 * Queue jobs of the batch API: `expression.inference` runs a job, `expression.callback` delivers
 * its outcome to callback_url. The main thread only downloads (I/O) and keeps the books; each
 * source is analysed by a worker thread. Both jobs are idempotent: a job re-delivered after a
 * crash starts its run again and finishes once.
 */
import path from 'node:path/posix'
import { Readable } from 'node:stream'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Limits } from '../../config.js'
import { safeFetch, safeFetchStream, SafeFetchError } from '../../shared/net/safe-fetch.js'
import type { JobRegistry, Queue } from '../../shared/queue/queue.js'
import { BlobTooLargeError, type BlobStore } from '../../shared/storage/blobs.js'
import type { Database } from '../../shared/storage/database.js'
import { PoolBusyError, type WorkerPool } from '../../shared/workers/pool.js'
import { batchKeys } from './batch.keys.js'
import * as repo from './batch.repo.js'
import type { InferenceRequest } from './batch.schemas.js'
import { selectModels } from './batch.selection.js'
import type { JobLimits, SourceInput } from './batch.source.js'
import type { RunJobInput, RunJobResult } from './expression.tasks.js'

export type ExpressionJobs = {
  'expression.inference': { v: 1; jobId: string }
  'expression.callback': { v: 1; jobId: string }
}

export interface BatchJobDeps {
  db: Kysely<Database>
  queue: Queue<ExpressionJobs>
  blobs: BlobStore
  pool: WorkerPool
  limits: Limits
  fetch: { allowList: readonly string[]; timeoutMs: number }
  log: Logger
  now: () => number
}

/** The file name a URL's content is reported under (Hume reports the URL's last path segment). */
export function urlFileName(url: string): string {
  try {
    return path.basename(decodeURIComponent(new URL(url).pathname)) || url
  } catch {
    return url
  }
}

const STORAGE_ERRORS = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EMFILE', 'ENFILE', 'EIO', 'EDQUOT'])

/** Downloads a URL source into the blob store, or explains why it could not. */
async function fetchSource(
  d: BatchJobDeps,
  url: string,
  key: string,
  signal: AbortSignal,
): Promise<SourceInput['input']> {
  try {
    const res = await safeFetchStream(url, {
      allowList: d.fetch.allowList,
      maxBytes: d.limits.uploadFileBytes,
      timeoutMs: d.fetch.timeoutMs,
      signal,
    })
    if (res.status < 200 || res.status >= 300) {
      res.body.destroy()
      return { kind: 'error', file: url, message: `fetching the URL failed with HTTP status ${res.status}` }
    }
    await d.blobs.put(key, res.body, { maxBytes: d.limits.uploadFileBytes })
    return { kind: 'blob', key, name: urlFileName(res.url) }
  } catch (err) {
    if (signal.aborted) throw signal.reason
    if (err instanceof SafeFetchError) return { kind: 'error', file: url, message: `URL refused: ${err.message}` }
    if (err instanceof BlobTooLargeError)
      return { kind: 'error', file: url, message: `URL refused: response exceeds the ${err.limit} byte limit` }
    // Our own storage failing is ours to retry; anything else went wrong with the remote end
    // (a body cut short, a reset) and is that source's error, not the job's.
    if (STORAGE_ERRORS.has((err as NodeJS.ErrnoException).code ?? '')) throw err
    return { kind: 'error', file: url, message: `downloading the URL failed: ${(err as Error).message}` }
  }
}

/** The job's sources in Hume's order (urls, files, texts), URLs downloaded into the blob store first. */
async function jobSources(
  d: BatchJobDeps,
  jobId: string,
  request: InferenceRequest,
  signal: AbortSignal,
): Promise<SourceInput[]> {
  const sources: SourceInput[] = []
  for (const [i, url] of request.urls.entries()) {
    const input = await fetchSource(d, url, batchKeys.fetched(jobId, i), signal)
    sources.push({ source: { type: 'url', url }, input })
  }
  for (const f of await repo.getFiles(d.db, jobId)) {
    sources.push({
      source: { type: 'file', filename: f.filename, content_type: f.content_type, md5sum: f.md5sum },
      input: { kind: 'blob', key: f.blob_key, name: f.filename },
    })
  }
  for (const text of request.text) sources.push({ source: { type: 'text' }, input: { kind: 'text', text } })
  return sources
}

/** A worker task that failed on its own (a bug, or a thread that died): the job fails, no retry helps. */
class ProcessingError extends Error {}

async function runTask<R>(d: BatchJobDeps, task: string, input: unknown, signal: AbortSignal): Promise<R> {
  try {
    return await d.pool.run<R>(task, input, { signal })
  } catch (err) {
    // A full pool is transient, and a cancelled run (lease lost, worker stopping) is not the job's
    // fault: the queue retries it later.
    if (err instanceof PoolBusyError) throw err
    if (signal.aborted) throw signal.reason
    throw new ProcessingError((err as Error).message, { cause: err })
  }
}

async function fail(d: BatchJobDeps, jobId: string, request: InferenceRequest, message: string): Promise<void> {
  await repo.markFailed(d.db, jobId, d.now(), message)
  // A FAILED job is not run again: its inputs are dead weight.
  await Promise.all([batchKeys.uploads(jobId), batchKeys.fetchedAll(jobId)].map((p) => d.blobs.deletePrefix(p)))
  if (request.callback_url) await d.queue.enqueue('expression.callback', { v: 1, jobId }, { key: `callback:${jobId}` })
}

async function runInference(d: BatchJobDeps, jobId: string, stop: AbortSignal): Promise<void> {
  const row = await repo.getJobById(d.db, jobId)
  if (!row || row.status === 'COMPLETED' || row.status === 'FAILED') return
  const log = d.log.child({ jobId })
  // However its inputs behave (slow downloads, pathological archives), a job's time is bounded. At
  // the deadline the worker stops between files and frames and completes the job with what it has;
  // work that cannot stop in between (one extraction, one transcription) is cut off a little later.
  const limitMs = d.limits.batchJobSeconds * 1000
  const deadline = Date.now() + limitMs
  // The grace also covers writing the partial results, which on S3 under load takes seconds.
  const overtime = AbortSignal.timeout(limitMs + Math.min(60_000, 15_000 + limitMs / 10))
  const signal = AbortSignal.any([stop, overtime])
  await repo.markStarted(d.db, jobId, d.now())
  const request = JSON.parse(row.request) as InferenceRequest
  const sel = selectModels(request.models, request.transcription)
  const limits: JobLimits = {
    deadline,
    jobSeconds: d.limits.batchJobSeconds,
    media: { mediaSeconds: d.limits.mediaSeconds, imagePixels: d.limits.imagePixels },
    fileChars: d.limits.batchFileChars,
    jobChars: d.limits.batchJobChars,
    jobPredictions: d.limits.batchPredictions,
    archive: {
      maxEntries: d.limits.archiveEntries,
      maxEntryBytes: d.limits.archiveEntryBytes,
      maxTotalBytes: d.limits.archiveTotalBytes,
    },
  }
  let result: RunJobResult
  try {
    const sources = await jobSources(d, jobId, request, signal)
    const input: RunJobInput = { jobId, sources, sel, limits }
    result = await runTask<RunJobResult>(d, 'expression.run', input, signal)
  } catch (err) {
    if (overtime.aborted && !stop.aborted) {
      log.warn({ seconds: d.limits.batchJobSeconds }, 'batch job stopped: over its time limit')
      return fail(
        d,
        jobId,
        request,
        `the job ran longer than ${d.limits.batchJobSeconds} s (PROSODIA_BATCH_MAX_JOB_SECONDS)`,
      )
    }
    if (!(err instanceof ProcessingError)) throw err
    log.error({ err }, 'batch job failed')
    return fail(d, jobId, request, 'internal error while processing the job')
  }
  const { numPredictions, numErrors } = result
  await repo.markCompleted(d.db, jobId, { now: d.now(), numPredictions, numErrors })
  log.info({ numPredictions, numErrors }, 'batch job completed')
  // Inputs are dead weight once the job's documents exist.
  await Promise.all([batchKeys.uploads(jobId), batchKeys.fetchedAll(jobId)].map((p) => d.blobs.deletePrefix(p)))
  if (request.callback_url) await d.queue.enqueue('expression.callback', { v: 1, jobId }, { key: `callback:${jobId}` })
}

/** POSTs the finished job to its callback_url, predictions streamed from the blob store. */
/** Refusals that no retry can change: the address or URL itself is not allowed. */
const PERMANENT: readonly string[] = ['forbidden_address', 'scheme', 'invalid_url']

async function sendCallback(d: BatchJobDeps, jobId: string, signal: AbortSignal): Promise<void> {
  const row = await repo.getJobById(d.db, jobId)
  if (!row) return
  const request = JSON.parse(row.request) as InferenceRequest
  if (!request.callback_url) return
  let body: Readable | string
  let length: number
  if (row.status === 'COMPLETED') {
    const key = batchKeys.predictions(jobId)
    const [predictions, stat] = await Promise.all([d.blobs.get(key), d.blobs.stat(key)])
    if (!predictions || !stat) throw new Error(`predictions of job ${jobId} are missing`)
    const head = Buffer.from(`{"job_id":${JSON.stringify(jobId)},"status":"COMPLETED","predictions":`)
    // Streamed, with its exact length: some receivers read only a Content-Length body, not a chunked one.
    length = head.length + stat.size + 1
    body = Readable.from(
      (async function* () {
        yield head
        for await (const chunk of predictions) yield chunk as Buffer
        yield Buffer.from('}')
      })(),
    )
  } else {
    body = JSON.stringify({ job_id: jobId, status: row.status, message: row.message ?? '' })
    length = Buffer.byteLength(body)
  }
  try {
    const res = await safeFetch(request.callback_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(length) },
      body,
      allowList: d.fetch.allowList,
      timeoutMs: d.fetch.timeoutMs,
      maxBytes: 64 * 1024,
      signal,
    })
    if (res.status < 200 || res.status >= 300) throw new Error(`callback answered HTTP ${res.status}`)
  } catch (err) {
    if (err instanceof SafeFetchError && PERMANENT.includes(err.reason)) {
      d.log.warn({ jobId, reason: err.reason, message: err.message }, 'callback refused; not retried')
      return
    }
    throw err
  }
}

export function expressionJobs(d: BatchJobDeps): JobRegistry<ExpressionJobs> {
  const version = (p: { v: number }) => {
    if (p.v !== 1) throw new Error(`unknown payload version ${p.v}`)
  }
  return {
    'expression.inference': {
      handle: async (p, ctx) => {
        version(p)
        await runInference(d, p.jobId, ctx.signal)
      },
      // When every attempt failed (e.g. the database kept failing mid-job), the job ends FAILED, not IN_PROGRESS.
      onDead: async (p) => {
        const row = await repo.getJobById(d.db, p.jobId)
        if (!row || row.status === 'COMPLETED' || row.status === 'FAILED') return
        await fail(d, p.jobId, JSON.parse(row.request) as InferenceRequest, 'the job failed on every attempt')
      },
    },
    'expression.callback': {
      handle: async (p, ctx) => {
        version(p)
        await sendCallback(d, p.jobId, ctx.signal)
      },
    },
  }
}
