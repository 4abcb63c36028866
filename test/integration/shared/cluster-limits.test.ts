/**
 * Per-account limits across two API nodes sharing Redis (REDIS_URL): sockets
 * (PROSODIA_WS_MAX_SOCKETS_PER_ACCOUNT) and TTS requests in flight
 * (PROSODIA_TTS_MAX_CONCURRENT_PER_ACCOUNT) count every node's, and a node that died holding slots
 * gives them back after the lock timeout. EVI chats per account: test/integration/evi/control-cluster.test.ts.
 */
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { RedisSlots } from '../../../src/shared/cluster/redis-slots.js'
import { startTestCluster, type ClusterNode, type TestCluster } from '../../helpers/cluster-apps.js'
import { dialects } from '../../helpers/dialects.js'
import { until } from '../../helpers/live-chat.js'

const LOCK_MS = 1500
const CAP = 2

interface Opened {
  ws: WebSocket
  closed: Promise<{ code: number; reason: string }>
}

describe.each(dialects())('per-account limits across two nodes (%s)', (dialect) => {
  let c: TestCluster
  let probe: Redis
  const open: Opened[] = []
  beforeAll(async () => {
    c = await startTestCluster(dialect, {
      domains: ['tts'],
      config: { limits: { wsSocketsPerAccount: CAP, ttsConcurrentPerAccount: 1 } },
      runtime: { cluster: { lockTimeoutMs: LOCK_MS } },
    })
    probe = new Redis(c.redis.url)
  })
  afterAll(async () => {
    for (const o of open) o.ws.terminate()
    probe?.disconnect()
    await c?.close()
  })

  /** Opens a TTS input socket; resolves once open (and held), or with the refusing HTTP status. */
  const connect = (node: ClusterNode, who: 'alice' | 'bob' = 'alice') =>
    new Promise<Opened | number>((resolve) => {
      const ws = new WebSocket(`${node.baseUrl.replace('http', 'ws')}/v0/tts/stream/input`, { headers: c.auth(who) })
      const closed = new Promise<{ code: number; reason: string }>((r) =>
        ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
      )
      ws.on('open', () => {
        const o = { ws, closed }
        open.push(o)
        resolve(o)
      })
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('error', () => {})
    })
  const held = (who: string) => probe.zcount(`${c.config.redisPrefix}:slots:sockets:${who}`, '-inf', '+inf')
  const closeAll = async () => {
    for (const o of open.splice(0)) {
      o.ws.close()
      await o.closed
    }
    await until(async () => (await held(c.alice.account_id)) === 0, 5000, 'slots given back')
  }

  it("refuses on node B an account at its cap on node A, until A's sockets close", async () => {
    const first = await connect(c.a)
    const second = await connect(c.a)
    expect(typeof first).toBe('object')
    expect(typeof second).toBe('object')
    await until(async () => (await held(c.alice.account_id)) === CAP, 5000, 'both slots taken')
    expect(await connect(c.b)).toBe(429)
    expect(await connect(c.a)).toBe(429)
    // Another account is not affected.
    expect(typeof (await connect(c.b, 'bob'))).toBe('object')
    // Held past several lock timeouts: running sockets keep their slots (refreshed), B still refuses.
    await new Promise((r) => setTimeout(r, LOCK_MS * 2))
    expect(await connect(c.b)).toBe(429)
    expect(c.a.rt.sockets.count(c.alice.account_id)).toBe(CAP)
    await closeAll()
    const onB = await connect(c.b)
    expect(typeof onB).toBe('object')
    await closeAll()
  })

  it('holds the cap when both nodes are asked at once (the loser closes with 1013 or answers 429)', async () => {
    const tries = await Promise.all([c.a, c.b, c.a, c.b, c.a, c.b].map((n) => connect(n)))
    const opened = tries.filter((t): t is Opened => typeof t === 'object')
    // Those that got through the advisory check but lost the slot are closed with 1013 at once.
    const outcomes = await Promise.all(
      opened.map((o) =>
        Promise.race([o.closed.then((x) => x.code), new Promise<string>((r) => setTimeout(() => r('open'), 500))]),
      ),
    )
    expect(outcomes.filter((x) => x === 'open')).toHaveLength(CAP)
    expect(outcomes.filter((x) => x !== 'open').every((x) => x === 1013)).toBe(true)
    expect(tries.filter((t) => typeof t === 'number').every((t) => t === 429)).toBe(true)
    expect(await held(c.alice.account_id)).toBe(CAP)
    await closeAll()
  })

  it('frees the slots of a node that died without releasing them after the lock timeout', async () => {
    // A third node takes both slots, then dies: its connection is gone and nothing is released.
    const conn = new Redis(c.redis.url, { maxRetriesPerRequest: 0 })
    conn.on('error', () => {})
    const dead = new RedisSlots(conn, 'sockets', CAP, {
      prefix: c.config.redisPrefix,
      lockTimeoutMs: LOCK_MS,
      commandTimeoutMs: 1000,
      log: pino({ level: 'silent' }),
    })
    expect(await dead.tryAcquire(c.alice.account_id)).toBeTypeOf('function')
    expect(await dead.tryAcquire(c.alice.account_id)).toBeTypeOf('function')
    conn.disconnect()
    expect(await connect(c.b)).toBe(429)
    const t0 = Date.now()
    await until(async () => typeof (await connect(c.b)) === 'object', LOCK_MS * 4, 'a free slot')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(LOCK_MS - 300)
    await closeAll()
  })

  it('counts TTS requests in flight on every node', async () => {
    // Another node's request in flight holds the account's only slot.
    const other = new RedisSlots(probe, 'tts', 1, {
      prefix: c.config.redisPrefix,
      lockTimeoutMs: LOCK_MS,
      commandTimeoutMs: 1000,
      log: pino({ level: 'silent' }),
    })
    const release = await other.tryAcquire(c.alice.account_id)
    expect(release).toBeTypeOf('function')
    const post = (node: ClusterNode) =>
      node.app.inject({
        method: 'POST',
        url: '/v0/tts',
        headers: c.auth(),
        payload: { utterances: [{ text: 'Hello.' }] },
      })
    const refused = await post(c.b)
    expect(refused.statusCode).toBe(429)
    expect(refused.json().message).toContain('PROSODIA_TTS_MAX_CONCURRENT_PER_ACCOUNT')
    expect(refused.headers['retry-after']).toBe('1')
    release!()
    await until(async () => (await post(c.b)).statusCode === 200, 10_000, 'a TTS request through')
  })
})
