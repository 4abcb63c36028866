/** Batch job use cases; no HTTP here. */
import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Insertable, Kysely } from 'kysely'
import type { Limits } from '../../config.js'
import { errors } from '../../shared/http/errors.js'
import { precheckUrl } from '../../shared/net/safe-fetch.js'
import type { Queue } from '../../shared/queue/queue.js'
import { BlobTooLargeError, type BlobStore } from '../../shared/storage/blobs.js'
import type { BatchFilesTable, BatchJobRow, Database } from '../../shared/storage/database.js'
import type { WorkerPool } from '../../shared/workers/pool.js'
import type { ExpressionJobs } from './batch.jobs.js'
import { batchKeys } from './batch.keys.js'
import * as repo from './batch.repo.js'
import type { InferenceBaseRequest, InferenceRequest, ListJobsQuery, UnionJob } from './batch.schemas.js'
import { DEFAULT_MODELS, DEFAULT_TRANSCRIPTION } from './batch.selection.js'

/** One part of a multipart job submission, as the route hands it over. */
export type UploadPart =
  | { kind: 'file'; filename: string; contentType: string | null; stream: Readable }
  | { kind: 'field'; name: string; value: unknown; truncated: boolean }

/** What a listed job adds besides its request: ids, state and timestamps. */
const JOB_OVERHEAD_BYTES = 400

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

export interface BatchServiceDeps {
  db: Kysely<Database>
  queue: Queue<ExpressionJobs>
  blobs: BlobStore
  /** Rebuilds a missing artifacts zip off the event loop. */
  pool: WorkerPool
  limits: Pick<Limits, 'uploadFileBytes' | 'uploadRequestBytes' | 'uploadFiles' | 'bodyBytes' | 'pageBytes'>
  /** PROSODIA_FETCH_ALLOW: private hosts a callback_url may name. */
  fetchAllowList: readonly string[]
  now?: () => number
}

export class BatchService {
  private readonly now: () => number

  constructor(private readonly d: BatchServiceDeps) {
    this.now = d.now ?? Date.now
  }

  /** A job from a JSON body (startInferenceJob). */
  async create(accountId: string, body: InferenceBaseRequest): Promise<{ job_id: string }> {
    return this.insert(accountId, randomUUID(), body, [])
  }

  /**
   * A job from multipart parts (startInferenceJobFromLocalFile): each file streams into the blob
   * store under the per-file and per-request caps; `parseRequest` checks the `json` part. Nothing
   * is kept if anything fails.
   */
  async createFromUploads(
    accountId: string,
    parts: AsyncIterable<UploadPart>,
    parseRequest: (json: unknown) => InferenceBaseRequest,
  ): Promise<{ job_id: string }> {
    const { limits, blobs } = this.d
    const jobId = randomUUID()
    const files: Insertable<BatchFilesTable>[] = []
    let body: InferenceBaseRequest = {}
    let total = 0
    try {
      for await (const part of parts) {
        if (part.kind === 'field') {
          if (part.name !== 'json') continue
          if (part.truncated) throw errors.uploadTooLarge(`the json part exceeds ${limits.bodyBytes} bytes`)
          body = parseRequest(part.value)
          continue
        }
        if (files.length >= limits.uploadFiles)
          throw errors.uploadTooLarge(`a request may upload at most ${limits.uploadFiles} files`)
        const filename = part.filename || `file-${files.length}`
        const cap = Math.min(limits.uploadFileBytes, limits.uploadRequestBytes - total)
        const key = batchKeys.upload(jobId, files.length)
        const stored = await blobs.put(key, part.stream, { maxBytes: cap }).catch((err: unknown) => {
          if (!(err instanceof BlobTooLargeError)) throw err
          throw cap === limits.uploadFileBytes
            ? errors.uploadTooLarge(`file ${filename} exceeds the limit of ${limits.uploadFileBytes} bytes per file`)
            : errors.uploadTooLarge(`the files exceed the limit of ${limits.uploadRequestBytes} bytes per request`)
        })
        total += stored.size
        files.push({
          job_id: jobId,
          idx: files.length,
          filename,
          content_type: part.contentType,
          md5sum: stored.md5,
          size: stored.size,
          blob_key: key,
        })
      }
      return await this.insert(accountId, jobId, body, files)
    } catch (err) {
      await blobs.deletePrefix(batchKeys.job(jobId))
      throw err
    }
  }

  private async insert(
    accountId: string,
    id: string,
    body: InferenceBaseRequest,
    files: Insertable<BatchFilesTable>[],
  ): Promise<{ job_id: string }> {
    const urls = body.urls ?? []
    const text = body.text ?? []
    if (urls.length + text.length + files.length === 0) {
      throw errors.badRequest('A job needs at least one input: urls, text or a file')
    }
    if (body.callback_url) {
      // Refused now rather than retried later: a URL no delivery attempt could ever reach.
      const refused = precheckUrl(body.callback_url, this.d.fetchAllowList)
      if (refused) throw errors.invalidField(['body', 'callback_url'], `callback_url refused: ${refused}`)
    }
    const request: InferenceRequest = {
      models: body.models ?? { ...DEFAULT_MODELS },
      // Omitted means Hume's default transcription; only an explicit null turns it off.
      transcription: body.transcription === undefined ? { ...DEFAULT_TRANSCRIPTION } : body.transcription,
      urls,
      text,
      callback_url: body.callback_url ?? null,
      notify: body.notify ?? false,
      files: files.map((f) => ({ filename: f.filename, content_type: f.content_type ?? null, md5sum: f.md5sum })),
    }
    // The job row and its queue entry commit together: no job without work, no work without a job.
    await this.d.db.transaction().execute(async (trx) => {
      await repo.insertJob(
        trx,
        { id, account_id: accountId, status: 'QUEUED', request: JSON.stringify(request), created_ms: this.now() },
        files,
      )
      await this.d.queue.enqueue('expression.inference', { v: 1, jobId: id }, { key: `inference:${id}`, tx: trx })
    })
    this.d.queue.notify()
    return { job_id: id }
  }

  /** A page of jobs, refused (400) before it is read when their requests would pass PROSODIA_MAX_PAGE_BYTES. */
  async list(accountId: string, query: ListJobsQuery): Promise<UnionJob[]> {
    const sizes = await repo.listJobSizes(this.d.db, accountId, {
      limit: query.limit ?? 50,
      statuses: query.status,
      when: query.when,
      timestampMs: query.timestamp_ms ?? this.now(),
      sortBy: query.sort_by ?? 'created',
      direction: query.direction ?? 'desc',
    })
    // Each job echoes its request (up to 1,000 texts), so a page's size is mostly theirs.
    const bytes = sizes.reduce((n, s) => n + s.bytes + JOB_OVERHEAD_BYTES, 0)
    if (bytes > this.d.limits.pageBytes) {
      throw errors.badRequest(
        `These ${sizes.length} jobs would be about ${bytes} bytes with their requests; the limit is ${this.d.limits.pageBytes} (PROSODIA_MAX_PAGE_BYTES). Ask for a smaller limit.`,
      )
    }
    const rows = await repo.getJobsByIds(
      this.d.db,
      accountId,
      sizes.map((s) => s.id),
    )
    return rows.map(toReturnJob)
  }

  async get(accountId: string, id: string): Promise<UnionJob> {
    return toReturnJob(await this.row(accountId, id))
  }

  /** The predictions document, streamed as stored (it can be far larger than one string should be). */
  async predictions(accountId: string, id: string): Promise<Readable> {
    await this.completed(accountId, id)
    const stream = await this.d.blobs.get(batchKeys.predictions(id))
    if (!stream) throw new Error(`predictions of job ${id} are missing from the blob store`)
    return stream
  }

  /** A zip with one JSON file per predicted file, plus errors.json per source that had errors. */
  async artifacts(accountId: string, id: string): Promise<Readable> {
    await this.completed(accountId, id)
    const key = batchKeys.artifacts(id)
    if (!(await this.d.blobs.stat(key))) await this.d.pool.run('expression.rebuildArtifacts', { jobId: id })
    const stream = await this.d.blobs.get(key)
    if (!stream) throw new Error(`artifacts of job ${id} are missing from the blob store`)
    return stream
  }

  private async row(accountId: string, id: string): Promise<BatchJobRow> {
    const row = await repo.getJob(this.d.db, accountId, id)
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
