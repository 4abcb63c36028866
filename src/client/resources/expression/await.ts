import { ProsodiaError, ProsodiaTimeoutError } from '../../core/errors.js'
import type { RequestOptions } from '../../core/options.js'
import { isRetryableStatus, sleep } from '../../core/retry.js'
import type { UnionJob } from '../../types/expression.js'

export interface AwaitCompletionOptions {
  /** Called with the job on the first poll and each time its state changes (status, counts, message). */
  onProgress?: (job: UnionJob) => void
  /** The first wait between polls; it grows by half each poll the job has not changed. Default 1000. */
  pollIntervalMs?: number
  /** The longest wait between polls. Default 10,000 (or `pollIntervalMs`, if larger). */
  maxPollIntervalMs?: number
  /** Give up after this long with a `ProsodiaTimeoutError`. Default 300,000 (hume-legacy's 300 s); `Infinity` waits as long as the job runs. */
  timeoutMs?: number
  /** Stops waiting (and any poll in flight); rejects with the signal's reason. */
  abortSignal?: AbortSignal
}

export const DEFAULT_POLL_INTERVAL_MS = 1000
export const DEFAULT_MAX_POLL_INTERVAL_MS = 10_000
export const DEFAULT_AWAIT_TIMEOUT_MS = 300_000
/** Polls in a row that may fail with a retryable error (the server restarting) before the wait gives up. */
export const MAX_FAILED_POLLS = 5

const BACKOFF = 1.5

export function isDone(job: UnionJob): boolean {
  return job.state.status === 'COMPLETED' || job.state.status === 'FAILED'
}

/**
 * Polls `getJob` until the job is COMPLETED or FAILED and returns that job. A FAILED job is returned, not
 * thrown: it is an answer about the job (with `state.message`), not a failure of the call, and hume-legacy's
 * `Job.awaitCompletion` also resolves on it.
 */
export async function pollUntilDone(
  jobId: string,
  getJob: (id: string, requestOptions: RequestOptions) => Promise<UnionJob>,
  opts: AwaitCompletionOptions = {},
): Promise<UnionJob> {
  const base = Math.max(1, opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS)
  const cap = Math.max(base, opts.maxPollIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS)
  const timeoutMs = opts.timeoutMs ?? DEFAULT_AWAIT_TIMEOUT_MS
  let last: UnionJob | undefined
  // One signal for the caller's abort and our deadline, so a poll in flight stops with either.
  const controller = new AbortController()
  const onAbort = () => controller.abort(opts.abortSignal?.reason)
  if (opts.abortSignal?.aborted) throw opts.abortSignal.reason
  opts.abortSignal?.addEventListener('abort', onAbort, { once: true })
  // setTimeout overflows past 2^31-1 ms (Infinity would fire at once): longer means no deadline.
  const timer =
    Number.isFinite(timeoutMs) && timeoutMs < 2 ** 31
      ? setTimeout(() => {
          const status = last ? ` (still ${last.state.status})` : ''
          controller.abort(
            new ProsodiaTimeoutError({ message: `Job ${jobId} did not finish within ${timeoutMs} ms${status}` }),
          )
        }, timeoutMs)
      : undefined
  try {
    let interval = base
    let seen = ''
    let failures = 0
    for (;;) {
      let job: UnionJob
      try {
        job = await getJob(jobId, { abortSignal: controller.signal })
        failures = 0
      } catch (err) {
        if (controller.signal.aborted) throw controller.signal.reason
        if (!isTransient(err) || ++failures >= MAX_FAILED_POLLS) throw err
        await sleep(interval, controller.signal)
        interval = Math.min(cap, interval * BACKOFF)
        continue
      }
      last = job
      const key = JSON.stringify(job.state)
      if (key !== seen) {
        seen = key
        interval = base
        opts.onProgress?.(job)
      } else {
        interval = Math.min(cap, interval * BACKOFF)
      }
      if (isDone(job)) return job
      await sleep(interval, controller.signal)
    }
  } finally {
    clearTimeout(timer)
    opts.abortSignal?.removeEventListener('abort', onAbort)
  }
}

/** Worth polling again: the server was unreachable or answered 408, 429 or 5xx after the client's own retries. */
function isTransient(err: unknown): boolean {
  if (!(err instanceof ProsodiaError)) return false
  return err.statusCode === undefined || isRetryableStatus(err.statusCode)
}
