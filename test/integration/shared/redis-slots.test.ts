/**
 * Per-account slots in Redis (redis-semaphore) as two nodes see them, each on its own connection:
 * the cap holds across both, a released slot is free at once, a holder that keeps running keeps its
 * slot past the lock timeout, and a holder that died (its connection gone, nothing released) gives
 * its slots back after the lock timeout. Keys stay under the deployment's prefix.
 */
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisSlots } from '../../../src/shared/cluster/redis-slots.js'
import { startRedis, type TestRedis } from '../../helpers/redis.js'

const LOCK_MS = 600
const log = pino({ level: 'silent' })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('RedisSlots', () => {
  let redis: TestRedis
  const conns: Redis[] = []
  const connect = (o: { maxRetriesPerRequest?: number | null } = {}) => {
    const c = new Redis(redis.url, { maxRetriesPerRequest: null, ...o })
    c.on('error', () => {})
    conns.push(c)
    return c
  }
  const slots = (conn: Redis, max: number, prefix = 'test') =>
    new RedisSlots(conn, 'sockets', max, { prefix, lockTimeoutMs: LOCK_MS, commandTimeoutMs: 1000, log })

  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    for (const c of conns) c.disconnect()
    await redis?.stop()
  })

  it('caps an account across nodes, and frees a released slot at once', async () => {
    const a = slots(connect(), 2)
    const b = slots(connect(), 2)
    const r1 = await a.tryAcquire('alice')
    const r2 = await b.tryAcquire('alice')
    expect(r1).toBeTypeOf('function')
    expect(r2).toBeTypeOf('function')
    expect(await a.tryAcquire('alice')).toBeUndefined()
    expect(await b.tryAcquire('alice')).toBeUndefined()
    expect(await b.held('alice')).toBe(2)
    // Another account has its own allowance.
    const bob = await b.tryAcquire('bob')
    expect(bob).toBeTypeOf('function')
    r1!()
    r1!() // twice gives back one slot only
    await expect.poll(() => b.held('alice')).toBe(1)
    const r3 = await b.tryAcquire('alice')
    expect(r3).toBeTypeOf('function')
    expect(await a.tryAcquire('alice')).toBeUndefined()
    for (const r of [r2, r3, bob]) r!()
    await expect.poll(() => a.held('alice')).toBe(0)
  })

  it('takes back a slot Redis forgot (restarted empty) while its holder runs, unless the account filled up', async () => {
    const probe = connect()
    const a = slots(connect(), 1)
    const b = slots(connect(), 1)
    const ra = await a.tryAcquire('carol')
    expect(ra).toBeTypeOf('function')
    await probe.flushall()
    expect(await b.held('carol')).toBe(0)
    // The holder's next refresh finds its slot gone and takes it back: the account is full again.
    await expect.poll(() => b.held('carol'), { timeout: 5_000 }).toBe(1)
    expect(await b.tryAcquire('carol')).toBeUndefined()
    ra!()
    await expect.poll(() => b.held('carol')).toBe(0)

    // Forgotten again, and another node takes the only slot first: the holder cannot take it back.
    const again = await a.tryAcquire('carol')
    await probe.flushall()
    const rb = await b.tryAcquire('carol')
    expect(rb).toBeTypeOf('function')
    await sleep(LOCK_MS)
    expect(await b.held('carol')).toBe(1)
    again!()
    rb!()
    await expect.poll(() => b.held('carol')).toBe(0)
  })

  it('keeps a running holder slot past the lock timeout; a dead one is free after it', async () => {
    const live = slots(connect(), 2)
    const deadConn = connect({ maxRetriesPerRequest: 0 })
    const dead = slots(deadConn, 2)
    const held = await live.tryAcquire('carol')
    expect(await dead.tryAcquire('carol')).toBeTypeOf('function')
    // The "dead" node: its connection goes and it never releases (nor refreshes) its slot.
    deadConn.disconnect()
    const other = slots(connect(), 2)
    expect(await other.tryAcquire('carol')).toBeUndefined()
    await sleep(LOCK_MS * 2.5)
    // The live holder refreshed: its slot still counts; the dead one's has expired.
    expect(await other.held('carol')).toBe(1)
    const taken = await other.tryAcquire('carol')
    expect(taken).toBeTypeOf('function')
    expect(await other.tryAcquire('carol')).toBeUndefined()
    held!()
    taken!()
  })

  it('keeps its keys under the prefix', async () => {
    const conn = connect()
    const s = slots(conn, 1, 'deploy-x')
    const r = await s.tryAcquire('dave')
    expect(await conn.keys('*dave*')).toEqual(['deploy-x:slots:sockets:dave'])
    r!()
  })

  it('rejects within its deadline when Redis does not answer', async () => {
    const conn = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: null, lazyConnect: true })
    conn.on('error', () => {})
    conns.push(conn)
    const s = new RedisSlots(conn, 'sockets', 1, { prefix: 'p', lockTimeoutMs: LOCK_MS, commandTimeoutMs: 300, log })
    const t0 = Date.now()
    await expect(s.tryAcquire('erin')).rejects.toThrow(/did not answer within 300 ms/)
    await expect(s.held('erin')).rejects.toThrow(/did not answer/)
    expect(Date.now() - t0).toBeLessThan(3000)
  })
})
