import { toCamel, toSnake, type Camelize } from './casing.js'
import { errorForStatus, ProsodiaConnectionError, ProsodiaTimeoutError } from './errors.js'
import {
  DEFAULT_BASE_URL,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_SECONDS,
  type ClientOptions,
  type RequestOptions,
} from './options.js'
import { isRetryableStatus, retryDelayMs, sleep } from './retry.js'

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[]

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Starts with `/`; segments the caller interpolates must already be encoded (see `encodePath`). */
  path: string
  /** camelCase or snake_case names; sent snake_case. Arrays repeat the parameter. */
  query?: Record<string, QueryValue>
  /** JSON, with camelCase keys turned snake_case. */
  body?: unknown
  /** Multipart (sent as is). */
  form?: FormData
}

/** `{ data, rawResponse }` for callers that need status or headers, as Fern's SDKs offer it. */
export interface WithRawResponse<T> {
  data: T
  rawResponse: Response
}

export type ApiPromise<T> = Promise<T> & { withRawResponse(): Promise<WithRawResponse<T>> }

export function apiPromise<T>(run: Promise<WithRawResponse<T>>): ApiPromise<T> {
  const data = run.then((r) => r.data) as ApiPromise<T>
  // A caller who awaits only withRawResponse() must not leave this derived promise rejected and unhandled
  // (Node would crash the process); awaiting `data` itself still rejects.
  data.catch(() => undefined)
  data.withRawResponse = () => run
  return data
}

export function encodePath(segment: string | number): string {
  return encodeURIComponent(String(segment))
}

/** Every HTTP call the client makes: auth, retries with backoff, timeouts, abort, errors by status. */
export class HttpClient {
  readonly baseUrl: string
  private readonly fetchImpl: typeof fetch

  constructor(readonly options: ClientOptions) {
    this.baseUrl = (options.baseUrl ?? options.environment ?? DEFAULT_BASE_URL).replace(/\/+$/, '')
    const f = options.fetch ?? (globalThis.fetch as typeof fetch | undefined)
    if (!f) throw new Error('No fetch in this runtime: pass { fetch } to new ProsodiaClient')
    // Called unbound: browsers throw "Illegal invocation" for a fetch called with any other `this`.
    this.fetchImpl = (input, init) => f(input, init)
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const url = new URL(this.baseUrl + path)
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue
      const values = Array.isArray(value) ? value : [value]
      for (const v of values) url.searchParams.append(toSnakeKey(key), String(v))
    }
    return url.toString()
  }

  async authHeaders(): Promise<Record<string, string>> {
    const { apiKey, accessToken } = this.options
    if (accessToken !== undefined) {
      const token = typeof accessToken === 'function' ? await accessToken() : accessToken
      return { authorization: `Bearer ${token}` }
    }
    return apiKey !== undefined ? { 'x-hume-api-key': apiKey } : {}
  }

  /** A JSON response, camelCased. */
  json<T>(req: HttpRequest, opts?: RequestOptions): ApiPromise<Camelize<T>> {
    return apiPromise(
      this.send(req, opts, async (res) => {
        const text = await res.text()
        return (text === '' ? undefined : toCamel(JSON.parse(text) as T)) as Camelize<T>
      }),
    )
  }

  /** A plain-text response (Hume answers renames with the new name as text). */
  text(req: HttpRequest, opts?: RequestOptions): ApiPromise<string> {
    return apiPromise(this.send(req, opts, (res) => res.text()))
  }

  /** No body expected (204s, deletes). */
  void(req: HttpRequest, opts?: RequestOptions): ApiPromise<void> {
    return apiPromise(
      this.send(req, opts, async (res) => {
        await res.body?.cancel()
      }),
    )
  }

  /** The response itself, body unread: binary files and streams. The timeout stops at the headers. */
  raw(req: HttpRequest, opts?: RequestOptions): ApiPromise<Response> {
    return apiPromise(this.send(req, opts, (res) => Promise.resolve(res), true))
  }

  private async send<T>(
    req: HttpRequest,
    opts: RequestOptions = {},
    read: (res: Response) => Promise<T>,
    streaming = false,
  ): Promise<WithRawResponse<T>> {
    const maxRetries = opts.maxRetries ?? this.options.maxRetries ?? DEFAULT_MAX_RETRIES
    const timeoutMs = (opts.timeoutInSeconds ?? this.options.timeoutInSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000
    const url = this.url(req.path, req.query)
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...this.options.headers,
        ...(await this.authHeaders()),
        ...opts.headers,
      }
      let body: BodyInit | undefined
      if (req.form) body = req.form
      else if (req.body !== undefined) {
        body = JSON.stringify(toSnake(req.body))
        headers['content-type'] = 'application/json'
      }
      const controller = new AbortController()
      const onAbort = () => controller.abort(opts.abortSignal?.reason)
      if (opts.abortSignal?.aborted) throw opts.abortSignal.reason
      opts.abortSignal?.addEventListener('abort', onAbort, { once: true })
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        controller.abort(new ProsodiaTimeoutError({ message: `No response within ${timeoutMs / 1000} s` }))
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        opts.abortSignal?.removeEventListener('abort', onAbort)
      }
      let res: Response
      try {
        res = await this.fetchImpl(url, { method: req.method, headers, body, signal: controller.signal })
      } catch (cause) {
        done()
        if (opts.abortSignal?.aborted) throw opts.abortSignal.reason
        const retryable = attempt < maxRetries
        if (retryable) {
          await sleep(retryDelayMs(attempt, undefined) ?? 0, opts.abortSignal)
          continue
        }
        if (timedOut) throw new ProsodiaTimeoutError({ message: `No response within ${timeoutMs / 1000} s`, cause })
        throw new ProsodiaConnectionError({ message: `Cannot reach ${this.baseUrl}: ${describe(cause)}`, cause })
      }
      if (!res.ok) {
        const errorBody = await readErrorBody(res)
        done()
        const delay =
          attempt < maxRetries && isRetryableStatus(res.status) ? retryDelayMs(attempt, res.headers) : undefined
        if (delay !== undefined) {
          await sleep(delay, opts.abortSignal)
          continue
        }
        throw errorForStatus(res.status, errorBody, res.headers)
      }
      if (streaming) {
        // The body belongs to the caller now: only their abort signal may still stop it.
        clearTimeout(timer)
        return { data: await read(res), rawResponse: res }
      }
      try {
        return { data: await read(res), rawResponse: res }
      } catch (cause) {
        if (timedOut) throw new ProsodiaTimeoutError({ message: `No response within ${timeoutMs / 1000} s`, cause })
        throw cause
      } finally {
        done()
      }
    }
  }
}

function toSnakeKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

async function readErrorBody(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => '')
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message
  }
  return String(cause)
}
