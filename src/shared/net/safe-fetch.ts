/**
 * An SSRF-guarded HTTP client for URLs supplied by API users. Every hop
 * (including each redirect) is resolved, every resolved address is checked,
 * and the connection is pinned to the checked address so DNS rebinding between
 * check and connect cannot slip through. Bodies are capped and time-limited.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { pipeline } from 'node:stream/promises'
import { byteLimit } from '../streams/byte-meter.js'
import { AllowList, isPrivateAddress } from './address-policy.js'

export type FetchFailure =
  'invalid_url' | 'scheme' | 'forbidden_address' | 'dns' | 'too_large' | 'timeout' | 'too_many_redirects' | 'network'

export class SafeFetchError extends Error {
  constructor(
    readonly reason: FetchFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'SafeFetchError'
  }
}

export interface SafeFetchOptions {
  /** Hosts/IPs/CIDRs that may be reached although private (config `fetchAllowList`). */
  allowList?: readonly string[]
  /** Largest accepted response body in bytes. */
  maxBytes?: number
  /** Whole-request deadline, ms (connect + headers + body). */
  timeoutMs?: number
  maxRedirects?: number
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  /** A request body; a stream is sent as it is read (chunked), never buffered here. */
  body?: string | Buffer | Readable
  signal?: AbortSignal
}

export interface SafeResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  /** The URL after redirects. */
  url: string
}

/** A response whose body is still to be read: capped (SafeFetchError 'too_large') and under the deadline. */
export interface SafeStreamResponse extends Omit<SafeResponse, 'body'> {
  body: Readable
}

type AllOrOne = ((err: NodeJS.ErrnoException | null, address: string, family: number) => void) &
  ((err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void)

/** A `lookup` for http.request that refuses hosts resolving to any forbidden address. */
function guardedLookup(allow: AllowList, host: string): LookupFunction {
  return (hostname, options, callback) => {
    const cb = callback as unknown as AllOrOne
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses) => {
      if (err) return cb(new SafeFetchError('dns', `cannot resolve ${host}: ${err.code ?? err.message}`), '', 0)
      const list = addresses as LookupAddress[]
      const hostAllowed = allow.allowsHost(host)
      const bad = list.find((a) => isPrivateAddress(a.address) && !hostAllowed && !allow.allowsAddress(a.address))
      if (bad || list.length === 0) {
        return cb(
          new SafeFetchError(
            'forbidden_address',
            `${host} resolves to ${bad?.address ?? 'nothing'}, a non-public address`,
          ),
          '',
          0,
        )
      }
      if (options.all) return cb(null, list)
      const first = list[0]!
      cb(null, first.address, first.family)
    })
  }
}

/**
 * What can be refused before any request: a malformed URL, another scheme, credentials in it, or a
 * literal non-public address (host names are checked when they resolve). The message, or undefined.
 */
export function precheckUrl(raw: string, allowList: readonly string[] = []): string | undefined {
  try {
    checkUrl(raw, new AllowList(allowList))
    return undefined
  } catch (err) {
    if (err instanceof SafeFetchError) return err.message
    throw err
  }
}

function checkUrl(raw: string, allow: AllowList): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new SafeFetchError('invalid_url', `not a valid URL: ${raw.slice(0, 200)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SafeFetchError('scheme', `only http and https URLs are fetched, not ${url.protocol}`)
  }
  if (url.username || url.password) throw new SafeFetchError('invalid_url', 'URLs with credentials are not fetched')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  // Literal IPs never go through DNS, so check them here.
  if (isIP(host) && isPrivateAddress(host) && !allow.allowsHost(host) && !allow.allowsAddress(host)) {
    throw new SafeFetchError('forbidden_address', `${host} is a non-public address`)
  }
  return url
}

function once(url: URL, allow: AllowList, opts: SafeFetchOptions, deadline: AbortSignal, maxBytes: number) {
  return new Promise<SafeStreamResponse>((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http
    const req = mod.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: { 'user-agent': 'prosodia/0.1', ...opts.headers },
        lookup: guardedLookup(allow, url.hostname.replace(/^\[|\]$/g, '')),
        signal: deadline,
        agent: false,
      },
      (res) => {
        const declared = Number(res.headers['content-length'] ?? NaN)
        if (Number.isFinite(declared) && declared > maxBytes) {
          res.destroy()
          return reject(
            new SafeFetchError('too_large', `response is ${declared} bytes, over the ${maxBytes} byte limit`),
          )
        }
        const body = byteLimit(
          maxBytes,
          () => new SafeFetchError('too_large', `response exceeds the ${maxBytes} byte limit`),
        )
        // pipeline tears the response down when the cap trips; the error reaches readers through `body`.
        pipeline(res, body).catch((err: unknown) => body.destroy(wrap(err as Error, deadline)))
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, url: url.href })
      },
    )
    req.on('error', (err) => reject(wrap(err, deadline)))
    const b = opts.body
    if (b instanceof Readable) pipeline(b, req).catch((err: unknown) => reject(wrap(err as Error, deadline)))
    else req.end(b)
  })
}

function wrap(err: Error, deadline: AbortSignal): SafeFetchError {
  if (err instanceof SafeFetchError) return err
  if (deadline.aborted) return new SafeFetchError('timeout', 'request timed out', { cause: err })
  return new SafeFetchError('network', `request failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`, {
    cause: err,
  })
}

/**
 * Fetches a user-supplied URL under the SSRF policy and hands back the body unread, so callers can
 * stream it (to disk, say) without holding it. Throws SafeFetchError with a clear reason; reading
 * the body can fail with 'too_large' or 'timeout' too.
 */
export async function safeFetchStream(rawUrl: string, opts: SafeFetchOptions = {}): Promise<SafeStreamResponse> {
  const allow = new AllowList(opts.allowList ?? [])
  const maxBytes = opts.maxBytes ?? 100 * 1024 * 1024
  const maxRedirects = opts.maxRedirects ?? 5
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000)
  const deadline = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout
  let url = checkUrl(rawUrl, allow)
  for (let hop = 0; ; hop++) {
    const res = await once(url, allow, opts, deadline, maxBytes)
    const location = res.headers.location
    if (res.status < 300 || res.status >= 400 || res.status === 304 || !location) return res
    res.body.destroy()
    if (hop >= maxRedirects) throw new SafeFetchError('too_many_redirects', `more than ${maxRedirects} redirects`)
    // Each redirect target is checked like the original URL (scheme, literal IP, DNS).
    url = checkUrl(new URL(location, url).href, allow)
    if (opts.method === 'POST') return { ...res, body: Readable.from([]) } // never replay a POST body
  }
}

/** safeFetchStream with the (capped) body read into memory: for small answers such as callbacks'. */
export async function safeFetch(rawUrl: string, opts: SafeFetchOptions = {}): Promise<SafeResponse> {
  const res = await safeFetchStream(rawUrl, opts)
  try {
    return { ...res, body: await buffer(res.body) }
  } catch (err) {
    throw err instanceof SafeFetchError
      ? err
      : new SafeFetchError('network', 'reading the response failed', { cause: err })
  }
}
