/**
 * The test apps run on the engines PROSODIA_TEST_ENGINES names (see test/helpers/engines-setup.ts),
 * so CI's second pass really is on BullMQ and S3 and not the first pass again; each app has prefixes
 * of its own there, and `defaultEngines` pins an app to the SQL queue and local disk in any run.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { BullQueue } from '../../../src/shared/queue/bullmq-queue.js'
import { SqlQueue } from '../../../src/shared/queue/sql-queue.js'
import { createTestApp, type TestApp } from '../../helpers/app.js'
import { dialects } from '../../helpers/dialects.js'
import { blobKeys, defaultEngines, queueJobs } from '../../helpers/engines.js'
import { parseTestEngines } from '../../helpers/engines-setup.js'

const wanted = parseTestEngines(process.env.PROSODIA_TEST_ENGINES)
const payload = (url: string) => ({ v: 1 as const, accountId: 'a', event: 'chat_started' as const, body: '{}', url })

describe.each(dialects())('test apps on the run engines, %s', (dialect) => {
  let a: TestApp
  let b: TestApp
  let pinned: TestApp
  beforeAll(async () => {
    ;[a, b, pinned] = await Promise.all([
      createTestApp(dialect, { domains: [] }),
      createTestApp(dialect, { domains: [] }),
      createTestApp(dialect, { domains: [], config: defaultEngines }),
    ])
  })
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), pinned?.close()])
  })

  it('puts the queue on the run Redis when asked, each app under a prefix of its own', async () => {
    expect(a.rt.queue).toBeInstanceOf(wanted.redis ? BullQueue : SqlQueue)
    expect(a.config.redisUrl).toBe(wanted.redis ? inject('engines').redisUrl : undefined)
    if (wanted.redis) expect(a.config.redisPrefix).not.toBe(b.config.redisPrefix)
    // A job one app enqueues is not seen (nor claimable) by the other.
    await a.rt.queue.enqueue('evi.webhook', payload('http://127.0.0.1/a'), { delayMs: 3_600_000 })
    expect((await queueJobs(a, 'evi.webhook')).map((j) => j.payload.url)).toEqual(['http://127.0.0.1/a'])
    expect(await queueJobs(b, 'evi.webhook')).toEqual([])
    expect(await b.rt.queue.claim(['evi.webhook'], 'owner', 1000)).toBeUndefined()
  })

  it('puts blobs on the run S3 server when asked, each app under a prefix of its own', async () => {
    expect(a.config.s3?.endpoint).toBe(wanted.s3 ? inject('engines').s3?.endpoint : undefined)
    if (wanted.s3) expect(a.config.s3?.prefix).not.toBe(b.config.s3?.prefix)
    await a.rt.blobs.put('probe/one', 'hello')
    expect(await blobKeys(a, 'probe')).toEqual(['probe/one'])
    expect(await blobKeys(b, 'probe')).toEqual([])
    expect(await b.rt.blobs.stat('probe/one')).toBeUndefined()
  })

  it('keeps an app pinned to the default engines on the SQL queue and local disk', () => {
    expect(pinned.rt.queue).toBeInstanceOf(SqlQueue)
    expect(pinned.config.s3).toBeUndefined()
  })
})
