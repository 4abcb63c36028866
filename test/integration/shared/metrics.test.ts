// GET /metrics and GET /readyz on a whole app: counters move with real requests, jobs and sockets;
// labels carry route patterns, never URLs or ids; scrapes need loopback or the token; /readyz
// answers 503 naming the check that failed.
import { rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { appDeps, buildApp } from '../../../src/app.js'
import { blobProbe, standardChecks } from '../../../src/shared/http/readiness.js'
import { LocalBlobStore } from '../../../src/shared/storage/blobs.js'
import { openDb } from '../../../src/shared/storage/db.js'
import { migrateToLatest } from '../../../src/shared/storage/migrate.js'
import { createTestApp, listen, type TestApp } from '../../helpers/app.js'
import { dialects, freshDatabaseUrl } from '../../helpers/dialects.js'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parse(text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!
    out.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return out
}

/** The value of the one sample with this name and (at least) these labels; undefined if none. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  if (hits.length > 1) throw new Error(`${hits.length} samples of ${name} match ${JSON.stringify(labels)}`)
  return hits[0]?.value
}

describe.each(dialects())('metrics and readiness on %s', (dialect) => {
  let t: TestApp
  let receiver: Server
  let hook: string
  const scrape = async (app: FastifyInstance = t.app) => {
    const r = await app.inject({ method: 'GET', url: '/metrics' })
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    return { text: r.body, samples: parse(r.body) }
  }
  const until = async (what: () => Promise<boolean>, ms = 10_000) => {
    const deadline = Date.now() + ms
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error('timed out waiting')
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  beforeAll(async () => {
    // A webhook receiver: /ok accepts, /fail answers 500 (retried, then dead).
    receiver = createServer((req, res) => {
      req.resume()
      res.statusCode = req.url === '/ok' ? 200 : 500
      res.end()
    })
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
    hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
    t = await createTestApp(dialect, {
      domains: ['tts', 'evi'],
      config: { fetchAllowList: ['127.0.0.1'] },
      runtime: { engine: { name: 'fake' }, worker: { pollMs: 20, backoffMs: 1 } },
    })
  })
  afterAll(async () => {
    await t.close()
    await new Promise((r) => receiver.close(r))
  })

  it('counts requests by method, route pattern and status class, with histogram buckets, never raw URLs', async () => {
    const id = randomUUID()
    const missing = `nothing-here-${randomUUID()}`
    const before = (await scrape()).samples
    const labels = { method: 'GET', route: '/v0/evi/configs/:id', status_class: '4xx' }
    const base = value(before, 'http_requests_total', labels) ?? 0
    for (let i = 0; i < 3; i++) {
      const r = await t.app.inject({ method: 'GET', url: `/v0/evi/configs/${id}`, headers: t.auth() })
      expect(r.statusCode).toBe(404)
    }
    // No route: refused before routing (401) or not found (404); either way one 'unmatched' label.
    expect((await t.app.inject({ method: 'GET', url: `/${missing}?x=${id}` })).statusCode).toBeGreaterThanOrEqual(400)
    expect((await t.app.inject({ method: 'GET', url: '/v0/evi/configs', headers: t.auth() })).statusCode).toBe(200)

    const { text, samples } = await scrape()
    expect(value(samples, 'http_requests_total', labels)).toBe(base + 3)
    expect(
      value(samples, 'http_requests_total', { method: 'GET', route: '/v0/evi/configs', status_class: '2xx' }),
    ).toBeGreaterThanOrEqual(1)
    expect(
      value(samples, 'http_requests_total', { method: 'GET', route: 'unmatched', status_class: '4xx' }),
    ).toBeGreaterThanOrEqual(1)
    // Histogram: cumulative buckets up to +Inf, whose count equals the request count.
    expect(value(samples, 'http_request_duration_seconds_bucket', { ...labels, le: '0.005' })).toBeDefined()
    expect(value(samples, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(base + 3)
    expect(value(samples, 'http_request_duration_seconds_count', labels)).toBe(base + 3)
    expect(value(samples, 'http_request_duration_seconds_sum', labels)).toBeGreaterThan(0)
    // No id, raw path or query reached a label.
    expect(text).not.toContain(id)
    expect(text).not.toContain(missing)
    for (const s of samples) if (s.labels.route) expect(s.labels.route).toMatch(/^(\/[\w/:.-]*|unmatched)$/)
    // Process metrics from prom-client's defaults.
    expect(value(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0)
    expect(value(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0)
  })

  it('reports queue depth by job name and state from the queue, then job outcomes and durations', async () => {
    const ok = { v: 1 as const, accountId: t.alice.account_id, event: 'chat_started' as const, body: '{}' }
    await t.rt.queue.enqueue('evi.webhook', { ...ok, url: `${hook}/ok` })
    await t.rt.queue.enqueue('evi.webhook', { ...ok, url: `${hook}/ok` }, { delayMs: 3_600_000 })
    let s = (await scrape()).samples
    expect(value(s, 'prosodia_queue_jobs', { name: 'evi.webhook', state: 'ready' })).toBe(1)
    expect(value(s, 'prosodia_queue_jobs', { name: 'evi.webhook', state: 'delayed' })).toBe(1)
    // None running: the SQL queue has no row for an empty state, BullMQ (PROSODIA_TEST_ENGINES=redis) a 0.
    expect(value(s, 'prosodia_queue_jobs', { name: 'evi.webhook', state: 'leased' }) ?? 0).toBe(0)

    // One delivery that succeeds, one that fails twice and is then given up.
    await t.rt.queue.enqueue('evi.webhook', { ...ok, url: `${hook}/fail` }, { maxAttempts: 2 })
    t.rt.startWorkers()
    const outcome = (o: string) => value(s, 'prosodia_queue_job_outcomes_total', { name: 'evi.webhook', outcome: o })
    await until(async () => {
      s = (await scrape()).samples
      return outcome('completed') === 1 && outcome('dead') === 1
    })
    expect(outcome('retrying')).toBe(1)
    // The finished ones left the gauge (0, not absent); the delayed one is still waiting; one died.
    expect(value(s, 'prosodia_queue_jobs', { name: 'evi.webhook', state: 'ready' })).toBe(0)
    expect(value(s, 'prosodia_queue_jobs', { name: 'evi.webhook', state: 'delayed' })).toBe(1)
    expect(value(s, 'prosodia_queue_jobs', { name: 'evi.webhook', state: 'dead' })).toBe(1)
    expect(value(s, 'prosodia_queue_job_duration_seconds_count', { name: 'evi.webhook', outcome: 'completed' })).toBe(1)
  })

  it('times TTS synthesis on the worker pool and reports the pools', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v0/tts',
      headers: t.auth(),
      payload: { utterances: [{ text: 'Hello there.' }], format: { type: 'wav' } },
    })
    expect(r.statusCode).toBe(200)
    const s = (await scrape()).samples
    const task = { pool: 'tts', task: 'tts.synthesize', outcome: 'ok' }
    expect(value(s, 'prosodia_worker_task_duration_seconds_count', task)).toBeGreaterThanOrEqual(1)
    expect(
      value(s, 'prosodia_worker_task_first_message_seconds_count', { pool: 'tts', task: 'tts.synthesize' }),
    ).toBeGreaterThanOrEqual(1)
    expect(value(s, 'prosodia_worker_pool_threads', { pool: 'tts' })).toBe(1)
    expect(value(s, 'prosodia_worker_pool_queued_tasks', { pool: 'tts' })).toBe(0)
    const u = value(s, 'prosodia_worker_pool_utilization', { pool: 'tts' })!
    expect(u).toBeGreaterThanOrEqual(0)
    expect(u).toBeLessThanOrEqual(1)
  })

  it('counts open WebSocket connections by route pattern', async () => {
    const base = new URL(await listen(t.app))
    const url = `ws://${base.host}/v0/tts/stream/input?format_type=pcm&api_key=${t.alice.api_key}`
    const sockets = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(url)
            ws.once('open', () => resolve(ws))
            ws.once('error', reject)
          }),
      ),
    )
    const route = { route: '/v0/tts/stream/input' }
    const { text, samples } = await scrape()
    expect(value(samples, 'prosodia_websocket_connections', route)).toBe(2)
    expect(text).not.toContain(t.alice.api_key)
    await Promise.all(sockets.map((ws) => new Promise((r) => (ws.once('close', r), ws.close()))))
    await until(async () => value((await scrape()).samples, 'prosodia_websocket_connections', route) === 0)
  })

  it('serves /metrics to loopback clients only, and only directly, when no token is set', async () => {
    const get = (o: { remoteAddress?: string; headers?: Record<string, string> }) =>
      t.app.inject({ method: 'GET', url: '/metrics', ...o })
    expect((await get({ remoteAddress: '127.0.0.1' })).statusCode).toBe(200)
    expect((await get({ remoteAddress: '::1' })).statusCode).toBe(200)
    const remote = await get({ remoteAddress: '203.0.113.7' })
    expect(remote.statusCode).toBe(403)
    expect(remote.json()).toMatchObject({ code: 'forbidden' })
    expect(remote.body).not.toContain('http_requests_total')
    // Through a reverse proxy on the same host every client looks local: refused.
    expect((await get({ headers: { 'x-forwarded-for': '203.0.113.7' } })).statusCode).toBe(403)
    expect((await get({ headers: { forwarded: 'for=203.0.113.7' } })).statusCode).toBe(403)
    // An API key is not a metrics credential.
    expect((await get({ remoteAddress: '203.0.113.7', headers: t.auth() })).statusCode).toBe(403)
  })

  it('requires the Bearer token from everyone when PROSODIA_METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-0123456789abcdef'
    const app = await buildApp({ ...appDeps(t.rt), config: { ...t.config, metricsToken: token }, logger: false })
    try {
      const get = (headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
        app.inject({ method: 'GET', url: '/metrics', headers, remoteAddress })
      const none = await get({})
      expect(none.statusCode).toBe(401)
      expect(none.json()).toMatchObject({ code: 'unauthorized' })
      expect((await get({ authorization: 'Bearer wrong-token-0123456789abcdef' })).statusCode).toBe(401)
      expect((await get({ authorization: `Bearer ${token}x` })).statusCode).toBe(401)
      expect((await get(t.auth())).statusCode).toBe(401)
      const ok = await get({ authorization: `Bearer ${token}` }, '203.0.113.7')
      expect(ok.statusCode).toBe(200)
      expect(ok.body).toContain('# TYPE http_requests_total counter')
    } finally {
      await app.close()
    }
  })

  it('/readyz answers 200 with every check ok, publicly, and /healthz stays liveness', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(r.statusCode).toBe(200)
    expect(r.json()).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'ok' }, queue: { status: 'ok' }, blobs: { status: 'ok' } },
    })
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ status: 'ok' })
  })

  it('/readyz answers 503 naming the blob store when the blob dir cannot be written, and recovers', async () => {
    // This is about the local disk store: with blobs on S3 (PROSODIA_TEST_ENGINES=s3) the runtime's check
    // probes the bucket, so the blob dir's probe stands in for it.
    const checks = t.config.s3
      ? { ...t.rt.readiness, blobs: () => blobProbe(new LocalBlobStore(t.config.blobDir)) }
      : t.rt.readiness
    const app = await buildApp({ ...appDeps(t.rt), readiness: { checks, cacheMs: 0 }, logger: false })
    try {
      rmSync(t.config.blobDir, { recursive: true, force: true })
      writeFileSync(t.config.blobDir, 'not a directory')
      const r = await app.inject({ method: 'GET', url: '/readyz' })
      expect(r.statusCode).toBe(503)
      expect(r.headers['retry-after']).toBeDefined()
      const body = r.json()
      expect(body).toMatchObject({
        status: 'unready',
        checks: { database: { status: 'ok' }, queue: { status: 'ok' }, blobs: { status: 'failed' } },
      })
      // A short code, never the path of the data dir.
      expect(body.checks.blobs.reason).toMatch(/^[A-Z_]+$/)
      expect(r.body).not.toContain(t.config.dataDir)
    } finally {
      rmSync(t.config.blobDir, { force: true })
      mkdirSync(t.config.blobDir, { recursive: true })
    }
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
    await app.close()
  })

  it('/readyz answers 503 naming the database and queue when the database is closed', async () => {
    const fresh = await freshDatabaseUrl(dialect)
    const other = openDb(fresh.url)
    await migrateToLatest(other)
    const app = await buildApp({
      ...appDeps(t.rt),
      readiness: { checks: standardChecks(other.kysely, t.rt.blobs), cacheMs: 0 },
      logger: false,
    })
    try {
      expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
      await other.close()
      const r = await app.inject({ method: 'GET', url: '/readyz' })
      expect(r.statusCode).toBe(503)
      expect(r.json()).toMatchObject({
        status: 'unready',
        checks: { database: { status: 'failed' }, queue: { status: 'failed' }, blobs: { status: 'ok' } },
      })
    } finally {
      await app.close()
      await fresh.drop()
    }
  })
})
