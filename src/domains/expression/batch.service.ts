/** Batch job use cases; no HTTP here. */
import { createHash, randomUUID } from 'node:crypto'
import { strToU8, zipSync } from 'fflate'
import { errors } from '../../shared/http/errors.js'
import { SqlQueue, type AnyKysely } from '../../shared/queue/sql-queue.js'
import type { ExpressionJobs } from './batch.jobs.js'
import * as repo from './batch.repo.js'
import type { BatchJobRow } from './batch.repo.js'
import type { InferenceBaseRequest, InferenceRequest, ListJobsQuery, SourceResult, UnionJob } from './batch.schemas.js'

export interface Upload {
  filename: string
  contentType: string | null
  data: Buffer
}

/** What "all models" means on this server: the two it has, with Hume's defaults. */
export const DEFAULT_MODELS = Object.freeze({
  language: { granularity: 'word', identify_speakers: false, sentiment: null, toxicity: null },
  ner: { identify_speakers: false },
})

export function toReturnJob(row: BatchJobRow): UnionJob {
  const created = row.created_ms
  const started = row.started_ms ?? created
  const ended = row.ended_ms ?? started
  const state: UnionJob['state'] =
    row.status === 'QUEUED'
      ? { status: 'QUEUED', created_timestamp_ms: created }
      : row.status === 'IN_PROGRESS'
        ? { status: 'IN_PROGRESS', created_timestamp_ms: created, started_timestamp_ms: started }
        : row.status === 'COMPLETED'
          ? {
              status: 'COMPLETED',
              created_timestamp_ms: created,
              started_timestamp_ms: started,
              ended_timestamp_ms: ended,
              num_predictions: row.num_predictions ?? 0,
              num_errors: row.num_errors ?? 0,
            }
          : {
              status: 'FAILED',
              created_timestamp_ms: created,
              started_timestamp_ms: started,
              ended_timestamp_ms: ended,
              message: row.message ?? '',
            }
  return { type: 'INFERENCE', job_id: row.id, request: JSON.parse(row.request) as InferenceRequest, state }
}

export function toPredictions(row: BatchJobRow): SourceResult[] {
  return row.predictions ? (JSON.parse(row.predictions) as SourceResult[]) : []
}

/** Archive member names: a readable, safe path per source and file. */
function artifactPath(i: number, source: SourceResult['source'], file: string): string {
  const label = source.type === 'url' ? 'url' : source.type === 'file' ? 'file' : 'text'
  const clean = file
    .replace(/[^\w.\-/]+/g, '_')
    .replace(/\.\.+/g, '.')
    .replace(/^\/+/, '')
  return `${String(i).padStart(3, '0')}-${label}/${clean || 'file'}.json`
}

export class BatchService {
  private readonly queue: SqlQueue<ExpressionJobs>

  constructor(
    private readonly db: AnyKysely,
    private readonly onEnqueued: () => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.queue = new SqlQueue<ExpressionJobs>(db)
  }

  async create(accountId: string, body: InferenceBaseRequest, uploads: Upload[] = []): Promise<{ job_id: string }> {
    const urls = body.urls ?? []
    const text = body.text ?? []
    if (urls.length + text.length + uploads.length === 0) {
      throw errors.badRequest('A job needs at least one input: urls, text or a file')
    }
    if (body.callback_url) {
      let ok = false
      try {
        ok = ['http:', 'https:'].includes(new URL(body.callback_url).protocol)
      } catch {
        ok = false
      }
      if (!ok) throw errors.invalidField(['body', 'callback_url'], 'callback_url must be an http or https URL')
    }
    const id = randomUUID()
    const files = uploads.map((u) => ({
      filename: u.filename,
      content_type: u.contentType,
      md5sum: createHash('md5').update(u.data).digest('hex'),
    }))
    const request: InferenceRequest = {
      models: body.models ?? { ...DEFAULT_MODELS },
      transcription: body.transcription ?? null,
      urls,
      text,
      callback_url: body.callback_url ?? null,
      notify: body.notify ?? false,
      files,
    }
    // The job row and its queue entry commit together: no job without work, no work without a job.
    await (this.db as AnyKysely).transaction().execute(async (trx) => {
      await repo.insertJob(
        trx,
        { id, account_id: accountId, status: 'QUEUED', request: JSON.stringify(request), created_ms: this.now() },
        uploads.map((u, idx) => ({ job_id: id, idx, ...files[idx]!, data: u.data.toString('base64') })),
      )
      await new SqlQueue<ExpressionJobs>(trx).enqueue(
        'expression.inference',
        { v: 1, jobId: id },
        { key: `inference:${id}` },
      )
    })
    this.onEnqueued()
    return { job_id: id }
  }

  async list(accountId: string, query: ListJobsQuery): Promise<UnionJob[]> {
    const rows = await repo.listJobs(this.db, accountId, {
      limit: query.limit ?? 50,
      statuses: query.status,
      when: query.when,
      timestampMs: query.timestamp_ms ?? this.now(),
      sortBy: query.sort_by ?? 'created',
      direction: query.direction ?? 'desc',
    })
    return rows.map(toReturnJob)
  }

  async get(accountId: string, id: string): Promise<UnionJob> {
    return toReturnJob(await this.row(accountId, id))
  }

  async predictions(accountId: string, id: string): Promise<SourceResult[]> {
    return toPredictions(await this.completed(accountId, id))
  }

  /** A zip with one JSON file per predicted file, plus errors.json per source that had errors. */
  async artifacts(accountId: string, id: string): Promise<Buffer> {
    const results = toPredictions(await this.completed(accountId, id))
    const entries: Record<string, Uint8Array> = {}
    results.forEach((r, i) => {
      for (const p of r.results.predictions)
        entries[artifactPath(i, r.source, p.file)] = strToU8(JSON.stringify(p, null, 2))
      if (r.results.errors.length > 0)
        entries[artifactPath(i, r.source, 'errors')] = strToU8(JSON.stringify(r.results.errors, null, 2))
    })
    return Buffer.from(zipSync(entries))
  }

  get enqueuer(): SqlQueue<ExpressionJobs> {
    return this.queue
  }

  private async row(accountId: string, id: string): Promise<BatchJobRow> {
    const row = await repo.getJob(this.db, accountId, id)
    if (!row) throw errors.notFound('Job', id)
    return row
  }

  private async completed(accountId: string, id: string): Promise<BatchJobRow> {
    const row = await this.row(accountId, id)
    if (row.status !== 'COMPLETED')
      throw errors.badRequest(`Job ${id} is ${row.status}; results exist only for COMPLETED jobs`)
    return row
  }
}
