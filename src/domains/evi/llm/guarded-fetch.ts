/**
 * A WHATWG `fetch` for the AI SDK providers built on the SSRF-guarded client, so every request a
 * language model makes is resolved, checked and pinned like any other server-side fetch. Response
 * bodies stream through (a model's answer is read token by token, never buffered here) and an abort
 * tears the connection down, so the model stops generating for a user who barged in.
 */
import type { Readable } from 'node:stream'
import { SafeFetchError, safeFetchStream } from '../../../shared/net/safe-fetch.js'

export interface GuardedFetchOptions {
  /** Hosts/IPs/CIDRs that may be reached although non-public (config.fetchAllowList, plus trusted hosts). */
  allowList: readonly string[]
  /** Largest response body, bytes (a streamed answer, headers excluded). */
  maxResponseBytes: number
  /** Deadline for one whole request, its streamed body included, ms. */
  deadlineMs: number
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

export function createGuardedFetch(opts: GuardedFetchOptions): typeof fetch {
  return async (input, init = {}) => {
    const request = input instanceof Request ? input : undefined
    const url = request ? request.url : input instanceof URL ? input.href : String(input)
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase()
    if (method !== 'GET' && method !== 'POST') throw new TypeError(`guarded fetch cannot send ${method} requests`)
    const headers: Record<string, string> = {}
    new Headers(init.headers ?? request?.headers).forEach((value, name) => {
      headers[name] = value
    })
    const body = await requestBody(init.body ?? (request?.body ? await request.arrayBuffer() : undefined))
    const signal = init.signal ?? request?.signal ?? undefined
    let res
    try {
      res = await safeFetchStream(url, {
        allowList: opts.allowList,
        maxBytes: opts.maxResponseBytes,
        timeoutMs: opts.deadlineMs,
        method,
        headers,
        ...(body !== undefined && { body }),
        ...(signal && { signal }),
      })
    } catch (err) {
      // The AI SDK tells a cancelled call from a failed one by the error's name.
      throw signal?.aborted ? abortError() : err
    }
    if (res.status < 200 || res.status > 599) {
      res.body.destroy()
      throw new TypeError(`the server answered with HTTP status ${res.status}`)
    }
    const responseHeaders = new Headers()
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined) continue
      for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v)
    }
    if (NULL_BODY_STATUSES.has(res.status)) {
      res.body.destroy()
      return new Response(null, { status: res.status, headers: responseHeaders })
    }
    return new Response(toWebStream(res.body, signal), { status: res.status, headers: responseHeaders })
  }
}

async function requestBody(body: BodyInit | ArrayBuffer | null | undefined): Promise<string | Buffer | undefined> {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string') return body
  if (body instanceof ArrayBuffer) return Buffer.from(body)
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer())
  throw new TypeError('guarded fetch sends string, binary or Blob bodies only')
}

/** Pull-based, so a slow reader slows the socket (backpressure) instead of queueing the answer in memory. */
function toWebStream(body: Readable, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = (await chunks.next()) as IteratorResult<Buffer | string>
          if (done) controller.close()
          else controller.enqueue(typeof value === 'string' ? Buffer.from(value) : value)
        } catch (err) {
          controller.error(signal?.aborted ? abortError() : asFetchError(err))
        }
      },
      cancel() {
        // Destroying the capped body tears down the pipeline to the socket (safe-fetch uses agent: false).
        body.destroy()
      },
    },
    { highWaterMark: 0 },
  )
}

/**
 * Errors while the body streams (a reset, the request deadline) reach us raw from the socket rather
 * than as SafeFetchErrors; callers map SafeFetchErrors only.
 */
function asFetchError(err: unknown): SafeFetchError {
  if (err instanceof SafeFetchError) return err
  if ((err as Error | undefined)?.name === 'AbortError') {
    return new SafeFetchError('timeout', 'the answer took longer than the request deadline', { cause: err })
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return new SafeFetchError('network', `the connection broke off mid-answer${code ? ` (${code})` : ''}`, { cause: err })
}

function abortError(): DOMException {
  return new DOMException('The language model request was aborted', 'AbortError')
}
