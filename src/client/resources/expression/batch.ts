import type { Static } from 'typebox'
import { BinaryResponse } from '../../core/binary.js'
import { apiPromise, encodePath, type ApiPromise, type HttpClient } from '../../core/http.js'
import type { RequestOptions } from '../../core/options.js'
import type {
  BatchListJobsRequest,
  InferenceBaseRequest,
  UnionJob,
  UnionPredictResult,
} from '../../types/expression.js'
import type * as B from '../../../domains/expression/batch.schemas.js'
import { pollUntilDone, type AwaitCompletionOptions } from './await.js'
import { toFormData, type Uploadable } from './uploads.js'

export type { AwaitCompletionOptions } from './await.js'
export type { FileLike, Uploadable } from './uploads.js'

/** `startInferenceJobFromLocalFile`'s request: the files, and the job's configuration. */
export interface BatchStartInferenceJobFromLocalFileRequest {
  /** The job's configuration (models, transcription, text, urls, …), sent as the `json` part. */
  json?: InferenceBaseRequest
  /** The media: `Blob`/`File`, bytes, a stream, or `{ data, filename, contentType }`. */
  file: Uploadable[]
}

/**
 * A started job, as hume-legacy's wrapper returns it: `{ jobId }` plus `awaitCompletion()`, so both
 * `const { jobId } = await startInferenceJob(…)` and `await (await startInferenceJob(…)).awaitCompletion()` work.
 */
export class Job {
  readonly jobId: string
  declare private readonly batch: BatchClient

  constructor(jobId: string, batch: BatchClient) {
    this.jobId = jobId
    // Not enumerable: the job serialises (and compares in tests) as the wire's `{ jobId }`.
    Object.defineProperty(this, 'batch', { value: batch, enumerable: false })
  }

  /**
   * Waits until the job is COMPLETED or FAILED and returns it (see `BatchClient.awaitCompletion`). A number
   * is hume-legacy's `timeoutInSeconds`.
   */
  awaitCompletion(options?: AwaitCompletionOptions | number, requestOptions?: RequestOptions): Promise<UnionJob> {
    const opts = typeof options === 'number' ? { timeoutMs: options * 1000 } : options
    return this.batch.awaitCompletion(this.jobId, opts, requestOptions)
  }
}

/** `client.expressionMeasurement.batch`: Expression Measurement batch jobs (`/v0/batch/jobs`). */
export class BatchClient {
  constructor(private readonly http: HttpClient) {}

  /** Sorts and filters your jobs: `GET /v0/batch/jobs` (`limit` defaults to 50 on the server). */
  listJobs(request: BatchListJobsRequest = {}, requestOptions?: RequestOptions): ApiPromise<UnionJob[]> {
    const { limit, status, when, timestampMs, sortBy, direction } = request
    return this.http.json<Wire<'list'>>(
      {
        method: 'GET',
        path: '/v0/batch/jobs',
        query: {
          limit,
          status: status === undefined || Array.isArray(status) ? status : [status],
          when,
          timestampMs,
          sortBy,
          direction,
        },
      },
      requestOptions,
    )
  }

  /** Starts a job on URLs and/or text: `POST /v0/batch/jobs` (JSON). Resolves to a `Job` (`{ jobId }`). */
  startInferenceJob(request: InferenceBaseRequest = {}, requestOptions?: RequestOptions): ApiPromise<Job> {
    return this.toJob(
      this.http.json<Wire<'jobId'>>({ method: 'POST', path: '/v0/batch/jobs', body: request }, requestOptions),
    )
  }

  /**
   * Starts a job on uploaded files: `POST /v0/batch/jobs` as multipart (`json` plus one `file` part each).
   * Resolves to a `Job` (`{ jobId }`).
   */
  startInferenceJobFromLocalFile(
    request: BatchStartInferenceJobFromLocalFileRequest,
    requestOptions?: RequestOptions,
  ): ApiPromise<Job> {
    const sent = toFormData(request.file, request.json).then((form) =>
      this.http.json<Wire<'jobId'>>({ method: 'POST', path: '/v0/batch/jobs', form }, requestOptions).withRawResponse(),
    )
    return this.toJob(apiPromise(sent))
  }

  /** The job's request and state: `GET /v0/batch/jobs/{id}`. */
  getJobDetails(id: string, requestOptions?: RequestOptions): ApiPromise<UnionJob> {
    return this.http.json<Wire<'job'>>({ method: 'GET', path: `/v0/batch/jobs/${encodePath(id)}` }, requestOptions)
  }

  /** A completed job's predictions, one entry per source: `GET /v0/batch/jobs/{id}/predictions`. */
  getJobPredictions(id: string, requestOptions?: RequestOptions): ApiPromise<UnionPredictResult[]> {
    return this.http.json<Wire<'predictions'>>(
      { method: 'GET', path: `/v0/batch/jobs/${encodePath(id)}/predictions` },
      requestOptions,
    )
  }

  /** A completed job's artifacts, a zip with one JSON file per input: `GET /v0/batch/jobs/{id}/artifacts`. */
  getJobArtifacts(id: string, requestOptions?: RequestOptions): ApiPromise<BinaryResponse> {
    const res = this.http
      .raw({ method: 'GET', path: `/v0/batch/jobs/${encodePath(id)}/artifacts` }, requestOptions)
      .withRawResponse()
    return apiPromise(res.then(({ rawResponse }) => ({ data: new BinaryResponse(rawResponse), rawResponse })))
  }

  /**
   * Polls `getJobDetails` until the job is COMPLETED or FAILED, and returns that job: a FAILED job is
   * returned, not thrown (check `job.state.status`; `job.state.message` says why). `onProgress` gets the job
   * on the first poll and whenever its state changes. Polls start `pollIntervalMs` apart (1 s) and back off
   * to `maxPollIntervalMs` (10 s) while nothing changes. Throws `ProsodiaTimeoutError` after `timeoutMs`
   * (300 s; `Infinity` for none), the signal's reason on abort, and the error of a poll that fails for good
   * (404 for a job that is not yours; 5 failed polls in a row for an unreachable server).
   */
  awaitCompletion(
    jobId: string,
    options: AwaitCompletionOptions = {},
    requestOptions: RequestOptions = {},
  ): Promise<UnionJob> {
    return pollUntilDone(jobId, (id, opts) => this.getJobDetails(id, { ...requestOptions, ...opts }), {
      ...options,
      abortSignal: options.abortSignal ?? requestOptions.abortSignal,
    })
  }

  private toJob(started: ApiPromise<{ jobId: string }>): ApiPromise<Job> {
    return apiPromise(
      started.withRawResponse().then(({ data, rawResponse }) => ({ data: new Job(data.jobId, this), rawResponse })),
    )
  }
}

/** The server's wire types, by route (camelCased by the transport). */
type Wire<K extends 'list' | 'jobId' | 'job' | 'predictions'> = {
  list: B.UnionJob[]
  jobId: Static<typeof B.JobId>
  job: B.UnionJob
  predictions: B.SourceResult[]
}[K]
