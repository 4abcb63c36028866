import { describe, expect, it, vi } from 'vitest'
import {
  BadRequestError,
  InternalServerError,
  NotFoundError,
  ProsodiaConnectionError,
  ProsodiaError,
  ProsodiaTimeoutError,
  TooManyRequestsError,
  UnauthorizedError,
  UnprocessableEntityError,
} from './errors.js'
import { HttpClient } from './http.js'

interface Call {
  url: string
  init: RequestInit
}

/** A fetch that answers from a script, one entry per call, and records what it was asked. */
function scriptedFetch(...answers: (Response | Error | 'hang')[]) {
  const calls: Call[] = []
  const fetchImpl = (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    calls.push({ url: String(input), init })
    const answer = answers.shift() ?? new Response('{}', { status: 200 })
    if (answer === 'hang') {
      return new Promise((_, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)),
      )
    }
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)
  }
  return { calls, fetch: fetchImpl as typeof fetch }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

describe('HttpClient', () => {
  it('sends the API key, snake_cases query and body, camelCases the answer', async () => {
    const f = scriptedFetch(json(201, { version_type: 'FIXED', created_on: 1 }))
    const http = new HttpClient({ apiKey: 'k', baseUrl: 'http://h:1/', fetch: f.fetch })
    const out = await http.json<{ version_type: string; created_on: number }>({
      method: 'POST',
      path: '/v0/evi/prompts',
      query: { pageSize: 2, restrictToMostRecent: true, skip: undefined, tag: ['a', 'b'] },
      body: { versionDescription: 'v1' },
    })
    expect(out).toEqual({ versionType: 'FIXED', createdOn: 1 })
    const call = f.calls[0] as Call
    expect(call.url).toBe('http://h:1/v0/evi/prompts?page_size=2&restrict_to_most_recent=true&tag=a&tag=b')
    expect((call.init.headers as Record<string, string>)['x-hume-api-key']).toBe('k')
    expect(call.init.body).toBe('{"version_description":"v1"}')
  })

  it('uses a Bearer access token (or a function returning one) instead of the key', async () => {
    const f = scriptedFetch(json(200, {}), json(200, {}))
    await new HttpClient({ accessToken: 't1', fetch: f.fetch }).json({ method: 'GET', path: '/x' })
    await new HttpClient({ accessToken: () => Promise.resolve('t2'), fetch: f.fetch }).json({
      method: 'GET',
      path: '/x',
    })
    expect(f.calls.map((c) => (c.init.headers as Record<string, string>).authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
    ])
    expect(f.calls[0]?.url).toBe('http://127.0.0.1:8000/x')
  })

  it('throws one error class per status, with statusCode and the parsed body', async () => {
    const cases: [number, typeof ProsodiaError][] = [
      [400, BadRequestError],
      [401, UnauthorizedError],
      [404, NotFoundError],
      [422, UnprocessableEntityError],
    ]
    for (const [status, Class] of cases) {
      const body = { code: 'x', error: 'y', message: `m${status}` }
      const http = new HttpClient({ fetch: scriptedFetch(json(status, body)).fetch })
      const error = await http.json({ method: 'GET', path: '/' }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(Class)
      expect(error).toBeInstanceOf(ProsodiaError)
      expect(error).toMatchObject({ statusCode: status, body })
      expect((error as Error).message).toContain(`m${status}`)
    }
  })

  it('retries 503 and 429, waiting what retry-after asks, then succeeds', async () => {
    const f = scriptedFetch(
      json(503, { message: 'busy' }, { 'retry-after-ms': '10' }),
      json(429, { message: 'slow down' }, { 'retry-after-ms': '10' }),
      json(200, { ok_now: true }),
    )
    const http = new HttpClient({ fetch: f.fetch, maxRetries: 2 })
    expect(await http.json({ method: 'POST', path: '/', body: {} })).toEqual({ okNow: true })
    expect(f.calls).toHaveLength(3)
  })

  it('gives up after maxRetries with the last error, and never retries a 4xx', async () => {
    const busy = () => json(500, { message: 'boom' }, { 'retry-after-ms': '1' })
    const f = scriptedFetch(busy(), busy())
    const error = await new HttpClient({ fetch: f.fetch, maxRetries: 1 })
      .json({ method: 'GET', path: '/' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InternalServerError)
    expect(f.calls).toHaveLength(2)
    const g = scriptedFetch(json(404, {}), json(200, {}))
    await expect(new HttpClient({ fetch: g.fetch }).json({ method: 'GET', path: '/' })).rejects.toBeInstanceOf(
      NotFoundError,
    )
    expect(g.calls).toHaveLength(1)
  })

  it('a 429 asking for more than a minute is handed to the caller at once', async () => {
    const f = scriptedFetch(json(429, { message: 'quota' }, { 'retry-after': '7200' }))
    const error = await new HttpClient({ fetch: f.fetch }).json({ method: 'GET', path: '/' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TooManyRequestsError)
    expect(f.calls).toHaveLength(1)
  })

  it('per-request options override the client: maxRetries, headers, timeout', async () => {
    const f = scriptedFetch('hang')
    const http = new HttpClient({ fetch: f.fetch, headers: { 'x-a': '1' }, maxRetries: 5 })
    const error = await http
      .json({ method: 'GET', path: '/' }, { timeoutInSeconds: 0.05, maxRetries: 0, headers: { 'x-b': '2' } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProsodiaTimeoutError)
    expect(f.calls[0]?.init.headers).toMatchObject({ 'x-a': '1', 'x-b': '2' })
  })

  it("the caller's abort signal stops a request without retrying it", async () => {
    const f = scriptedFetch('hang', json(200, {}))
    const abort = new AbortController()
    const pending = new HttpClient({ fetch: f.fetch, maxRetries: 3 }).json(
      { method: 'GET', path: '/' },
      { abortSignal: abort.signal },
    )
    await vi.waitFor(() => expect(f.calls).toHaveLength(1))
    abort.abort(new Error('user gave up'))
    await expect(pending).rejects.toThrow('user gave up')
    expect(f.calls).toHaveLength(1)
  })

  it('connection failures are retried, then reported naming the server', async () => {
    const f = scriptedFetch(new TypeError('fetch failed'), new TypeError('fetch failed'))
    const error = await new HttpClient({ fetch: f.fetch, baseUrl: 'http://gone:9', maxRetries: 1 })
      .json({ method: 'GET', path: '/' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProsodiaConnectionError)
    expect((error as Error).message).toContain('http://gone:9')
    expect(f.calls).toHaveLength(2)
  })

  it('withRawResponse exposes status and headers beside the data', async () => {
    const f = scriptedFetch(json(200, { a_b: 1 }, { 'x-request-id': 'r1' }))
    const { data, rawResponse } = await new HttpClient({ fetch: f.fetch })
      .json({ method: 'GET', path: '/' })
      .withRawResponse()
    expect(data).toEqual({ aB: 1 })
    expect(rawResponse.headers.get('x-request-id')).toBe('r1')
  })

  it('a 422 message lists the fields FastAPI-style bodies name', async () => {
    const body = { detail: [{ loc: ['body', 'name'], msg: 'required', type: 'missing' }] }
    const error = await new HttpClient({ fetch: scriptedFetch(json(422, body)).fetch })
      .json({ method: 'POST', path: '/', body: {} })
      .catch((e: unknown) => e)
    expect((error as Error).message).toContain('body.name: required')
  })
})

it('a failed call awaited only through withRawResponse leaves no unhandled rejection', async () => {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  try {
    const http = new HttpClient({ fetch: scriptedFetch(json(404, { message: 'gone' })).fetch })
    await expect(http.json({ method: 'GET', path: '/' }).withRawResponse()).rejects.toBeInstanceOf(NotFoundError)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(unhandled).toEqual([])
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
})

it('calls fetch unbound, as browsers require (a fetch called with another `this` throws there)', async () => {
  const strictFetch = function (this: unknown) {
    if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation')
    return Promise.resolve(json(200, { ok: true }))
  } as unknown as typeof fetch
  await expect(new HttpClient({ fetch: strictFetch }).json({ method: 'GET', path: '/' })).resolves.toEqual({ ok: true })
})

describe('against a hostile or broken server', () => {
  it('never follows a redirect, so the key cannot reach another origin', async () => {
    const f = scriptedFetch(new Response(null, { status: 307, headers: { location: 'http://elsewhere/x' } }))
    const error = await new HttpClient({ apiKey: 'secret', fetch: f.fetch })
      .json({ method: 'POST', path: '/', body: {} })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProsodiaError)
    expect((error as Error).message).toContain('redirected the request to http://elsewhere/x')
    expect(f.calls).toHaveLength(1)
    expect(f.calls[0]?.init.redirect).toBe('manual')
  })

  it('does not resend a POST after a 502 or a dropped connection, but does after a 503 or 429', async () => {
    const bad = scriptedFetch(json(502, {}), json(200, {}))
    await expect(
      new HttpClient({ fetch: bad.fetch }).json({ method: 'POST', path: '/', body: {} }),
    ).rejects.toBeInstanceOf(InternalServerError)
    expect(bad.calls).toHaveLength(1)
    const reset = scriptedFetch(new TypeError('socket hang up'), json(200, {}))
    await expect(
      new HttpClient({ fetch: reset.fetch }).json({ method: 'POST', path: '/', body: {} }),
    ).rejects.toBeInstanceOf(ProsodiaConnectionError)
    expect(reset.calls).toHaveLength(1)
    const busy = scriptedFetch(json(503, {}, { 'retry-after-ms': '1' }), json(201, { id: 'x' }))
    expect(await new HttpClient({ fetch: busy.fetch }).json({ method: 'POST', path: '/', body: {} })).toEqual({
      id: 'x',
    })
    // Reads are resent after any 5xx.
    const read = scriptedFetch(json(502, {}, { 'retry-after-ms': '1' }), json(200, {}))
    await new HttpClient({ fetch: read.fetch }).json({ method: 'GET', path: '/' })
    expect(read.calls).toHaveLength(2)
  })

  it('answers that are not JSON, or nested beyond reason, fail as ProsodiaError with the status', async () => {
    const html = scriptedFetch(new Response('<html>proxy</html>', { status: 200 }))
    const error = await new HttpClient({ fetch: html.fetch })
      .json({ method: 'GET', path: '/' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProsodiaError)
    expect(error).toMatchObject({ statusCode: 200, body: '<html>proxy</html>' })
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    const nested = scriptedFetch(new Response(deep, { status: 200 }))
    const e2 = await new HttpClient({ fetch: nested.fetch }).json({ method: 'GET', path: '/' }).catch((e: unknown) => e)
    expect(e2).toBeInstanceOf(ProsodiaError)
    expect((e2 as Error).message).toContain('nested more than')
  })

  it('reads at most 64 KiB of an error body', async () => {
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 16384
        controller.enqueue(new Uint8Array(16384).fill(120))
      },
    })
    const f = scriptedFetch(new Response(endless, { status: 400 }))
    const error = await new HttpClient({ fetch: f.fetch }).json({ method: 'GET', path: '/' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BadRequestError)
    expect(((error as ProsodiaError).body as string).length).toBe(65536)
    expect(pulled).toBeLessThan(200_000)
  })

  it('a streamed body that stalls fails with a timeout instead of hanging', async () => {
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('RIFF'))
      },
      pull() {
        return new Promise(() => undefined) // never sends more
      },
    })
    const f = scriptedFetch(new Response(stalled, { status: 200 }))
    const res = await new HttpClient({ fetch: f.fetch }).raw({ method: 'GET', path: '/' }, { timeoutInSeconds: 0.1 })
    await expect(res.arrayBuffer()).rejects.toBeInstanceOf(ProsodiaTimeoutError)
  })
})

it('takes the API key and the base URL from functions, and the official SDK environment object', async () => {
  const f = scriptedFetch(json(200, {}), json(200, {}))
  let n = 0
  await new HttpClient({ apiKey: () => `k${++n}`, baseUrl: () => 'http://a:1', fetch: f.fetch }).json({
    method: 'GET',
    path: '/x',
  })
  await new HttpClient({ apiKey: async () => 'k9', environment: { base: 'http://b:2/' }, fetch: f.fetch }).json({
    method: 'GET',
    path: '/y',
  })
  expect(f.calls.map((c) => [c.url, (c.init.headers as Record<string, string>)['x-hume-api-key']])).toEqual([
    ['http://a:1/x', 'k1'],
    ['http://b:2/y', 'k9'],
  ])
})
