const INITIAL_DELAY_MS = 500
const MAX_DELAY_MS = 8_000
/** A server asking for longer than this is not waited for: the caller gets the 429/503 instead. */
const MAX_RETRY_AFTER_MS = 60_000

/** The shortest wait between attempts, whatever the server asks: `retry-after: 0` must not become a storm. */
const MIN_DELAY_MS = 100

/**
 * Whether a failed attempt may be sent again. Requests that create things (POST, PATCH) are resent only on
 * answers that say the server did not act on them (408, 429, 503); after a 500, 502 or 504 a second copy
 * might create a second job or prompt. Reads and deletes are resent on any 5xx.
 */
export function isRetryableStatus(status: number, idempotent = true): boolean {
  if (status === 408 || status === 429 || status === 503) return true
  return idempotent && status >= 500
}

/**
 * How long to wait before retry number `attempt` (0-based): the server's `retry-after-ms` / `retry-after`
 * (seconds or an HTTP date) when it gives one, else exponential backoff with jitter so that many clients
 * that failed together do not all come back together. `undefined`: the server asks too much; give up.
 */
export function retryDelayMs(attempt: number, headers: Headers | undefined, random = Math.random): number | undefined {
  const asked = retryAfterMs(headers)
  if (asked !== undefined) return asked <= MAX_RETRY_AFTER_MS ? Math.max(asked, MIN_DELAY_MS) : undefined
  const base = Math.min(INITIAL_DELAY_MS * 2 ** attempt, MAX_DELAY_MS)
  // Between 75% and 100% of the exponential step.
  return Math.round(base * (1 - 0.25 * random()))
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined
  const ms = Number(headers.get('retry-after-ms') ?? NaN)
  if (Number.isFinite(ms) && ms >= 0) return ms
  const value = headers.get('retry-after')
  if (value === null || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason as Error)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
