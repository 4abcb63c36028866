import { snakeKey, toCamel, toSnake, type Camelize } from './casing.js'
import { errorForStatus, ProsodiaConnectionError, ProsodiaError, ProsodiaTimeoutError } from './errors.js'
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
  private readonly baseUrlOption: NonNullable<ClientOptions['environment']>
  private readonly fetchImpl: typeof fetch

  constructor(readonly options: ClientOptions) {
    this.baseUrlOption = options.baseUrl ?? options.environment ?? DEFAULT_BASE_URL
    const f = options.fetch ?? (globalThis.fetch as typeof fetch | undefined)
    if (!f) throw new Error('No fetch in this runtime: pass { fetch } to new ProsodiaClient')
    // Called unbound: browsers throw "Illegal invocation" for a fetch called with any other `this`.
    this.fetchImpl = (input, init) => f(input, init)
  }

  /** The server's address, without a trailing slash (a `baseUrl` function is asked each time). */
  get baseUrl(): string {
    const option = typeof this.baseUrlOption === 'function' ? this.baseUrlOption() : this.baseUrlOption
    const base = typeof option === 'string' ? option : option?.base
    if (typeof base !== 'string') throw new TypeError('baseUrl must be a URL string (or environment { base })')
    return base.replace(/\/+$/, '')
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const url = new URL(this.baseUrl + path)
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue
      const values = Array.isArray(value) ? value : [value]
      for (const v of values) url.searchParams.append(snakeKey(key), String(v))
    }
    return url.toString()
  }

  /** The credentials for this request (suppliers are called each time, so a rotated key is picked up). */
  async credentials(): Promise<{ apiKey?: string; accessToken?: string }> {
    const { apiKey, accessToken } = this.options
    if (accessToken !== undefined) return { accessToken: await supply(accessToken) }
    if (apiKey !== undefined) return { apiKey: await supply(apiKey) }
    return {}
  }

  /** The same, for sockets the official SDK opens synchronously: a supplier must not return a promise. */
  credentialsNow(): { apiKey?: string; accessToken?: string } {
    const { apiKey, accessToken } = this.options
    const now = (value: string | Promise<string>, name: string): string => {
      if (typeof value !== 'string')
        throw new TypeError(
          `This socket opens synchronously, as in the official SDK: pass connect({ ${name}: await ... })`,
        )
      return value
    }
    if (accessToken !== undefined)
      return { accessToken: now(typeof accessToken === 'function' ? accessToken() : accessToken, 'accessToken') }
    if (apiKey !== undefined) return { apiKey: now(typeof apiKey === 'function' ? apiKey() : apiKey, 'apiKey') }
    return {}
  }

  async authHeaders(): Promise<Record<string, string>> {
    const { apiKey, accessToken } = await this.credentials()
    if (accessToken !== undefined) return { authorization: `Bearer ${accessToken}` }
    return apiKey !== undefined ? { 'x-hume-api-key': apiKey } : {}
  }

  /** A JSON response, camelCased. */
  json<T>(req: HttpRequest, opts?: RequestOptions): ApiPromise<Camelize<T>> {
    return apiPromise(
      this.send(req, opts, async (res) => {
        const text = await res.text()
        if (text === '') return undefined as Camelize<T>
        try {
          return toCamel(JSON.parse(text) as T)
        } catch (cause) {
          // A proxy's HTML page, a truncated body, hostile nesting: an API error the caller can catch as one.
          throw new ProsodiaError({
            message: `The server's answer is not the JSON expected (${describe(cause)})`,
            statusCode: res.status,
            body: text.slice(0, 2000),
            headers: res.headers,
            cause,
          })
        }
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

  /**
   * The response itself, body unread: binary files and streams. `timeoutInSeconds` bounds the wait for the
   * headers and then each wait for the next piece of the body (a stalled download fails, a slow reader does not).
   */
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
    // A request that creates something is not resent once it may have reached the server (see retry.ts).
    const idempotent = req.method !== 'POST' && req.method !== 'PATCH'
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
      const timeoutError = () => new ProsodiaTimeoutError({ message: `No response within ${timeoutMs / 1000} s` })
      const timer = setTimeout(() => {
        timedOut = true
        controller.abort(timeoutError())
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        opts.abortSignal?.removeEventListener('abort', onAbort)
      }
      let res: Response
      try {
        // Never followed: fetch drops Authorization on a redirect to another origin, but not X-Hume-Api-Key.
        res = await this.fetchImpl(url, {
          method: req.method,
          headers,
          body,
          signal: controller.signal,
          redirect: 'manual',
        })
      } catch (cause) {
        done()
        if (opts.abortSignal?.aborted) throw opts.abortSignal.reason
        if (idempotent && attempt < maxRetries) {
          await sleep(retryDelayMs(attempt, undefined) ?? 0, opts.abortSignal)
          continue
        }
        if (timedOut) throw new ProsodiaTimeoutError({ message: `No response within ${timeoutMs / 1000} s`, cause })
        throw new ProsodiaConnectionError({ message: `Cannot reach ${this.baseUrl}: ${describe(cause)}`, cause })
      }
      if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
        done()
        await res.body?.cancel().catch(() => undefined)
        const location = res.headers.get('location')
        throw new ProsodiaError({
          message: `The server redirected the request${location ? ` to ${location}` : ''}: set baseUrl to the API's own address (the client follows no redirect, so that your key goes nowhere else)`,
          statusCode: res.status || undefined,
          headers: res.headers,
        })
      }
      if (!res.ok) {
        const errorBody = await readErrorBody(res)
        done()
        const delay =
          attempt < maxRetries && isRetryableStatus(res.status, idempotent)
            ? retryDelayMs(attempt, res.headers)
            : undefined
        if (delay !== undefined) {
          await sleep(delay, opts.abortSignal)
          continue
        }
        throw errorForStatus(res.status, errorBody, res.headers)
      }
      if (streaming) {
        // The body belongs to the caller now: each wait for more of it is bounded, and their signal stops it.
        clearTimeout(timer)
        const guarded = withIdleTimeout(res, timeoutMs, () => {
          controller.abort(timeoutError())
          opts.abortSignal?.removeEventListener('abort', onAbort)
        })
        return { data: await read(guarded), rawResponse: guarded }
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

/** Supplier → value. */
async function supply<T>(value: T | (() => T | Promise<T>)): Promise<T> {
  return typeof value === 'function' ? await (value as () => T | Promise<T>)() : value
}

/**
 * A copy of `res` whose body fails with ProsodiaTimeoutError when the server sends nothing for `ms` while
 * the reader waits for it; `onTimeout` aborts the request itself.
 */
function withIdleTimeout(res: Response, ms: number, onTimeout: () => void): Response {
  if (!res.body) return res
  const reader = res.body.getReader()
  let failed = false
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const timer = setTimeout(() => {
        failed = true
        controller.error(new ProsodiaTimeoutError({ message: `The server sent nothing for ${ms / 1000} s` }))
        onTimeout()
        void reader.cancel().catch(() => undefined)
      }, ms)
      try {
        const { done, value } = await reader.read()
        if (failed) return
        if (done) controller.close()
        else controller.enqueue(value)
      } catch (error) {
        if (!failed) controller.error(error)
      } finally {
        clearTimeout(timer)
      }
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
  return new Response(stream, { status: res.status, statusText: res.statusText, headers: res.headers })
}

/** Error bodies are read up to this much: enough for any API error, never a hostile server's gigabytes. */
const MAX_ERROR_BODY_BYTES = 64 * 1024

async function readErrorBody(res: Response): Promise<unknown> {
  const text = await readCapped(res, MAX_ERROR_BODY_BYTES).catch(() => '')
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

async function readCapped(res: Response, cap: number): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (size < cap) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.length
  }
  if (size >= cap) await reader.cancel().catch(() => undefined)
  const bytes = new Uint8Array(Math.min(size, cap))
  let offset = 0
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset)
    bytes.set(part, offset)
    offset += part.length
    if (offset >= bytes.length) break
  }
  return new TextDecoder().decode(bytes)
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message
  }
  return String(cause)
}
