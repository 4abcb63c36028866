/**
 * The whole app on the Redis queue (REDIS_URL): a batch job submitted through the API runs to
 * COMPLETED through BullMQ, and nothing goes through the database's queue table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { BullQueue } from '../../../src/shared/queue/bullmq-queue.js'
import { createTestApp, type TestApp } from '../../helpers/app.js'
import { dialects } from '../../helpers/dialects.js'
import { waitForJob } from '../../helpers/jobs.js'
import { startRedis, type TestRedis } from '../../helpers/redis.js'

describe.each(dialects())('the app on the Redis queue, %s database', (dialect) => {
  let redis: TestRedis
  let t: TestApp
  let probe: Redis
  beforeAll(async () => {
    redis = await startRedis()
    probe = new Redis(redis.url)
    t = await createTestApp(dialect, {
      domains: ['expression'],
      config: { redisUrl: redis.url },
      runtime: { worker: { pollMs: 20 } },
      workers: true,
    })
  })
  afterAll(async () => {
    await t?.close()
    probe?.disconnect()
    await redis?.stop()
  })

  it('runs a batch text job to COMPLETED through BullMQ', async () => {
    expect(t.rt.queue).toBeInstanceOf(BullQueue)
    const res = await t.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload: { text: ['I love Paris.'], models: { language: { granularity: 'sentence' } } },
      headers: t.auth(),
    })
    expect(res.statusCode).toBe(200)
    const id = res.json().job_id as string
    const job = await waitForJob(t.app, id, t.auth(), { timeoutMs: 30_000 })
    expect(job.state).toMatchObject({ status: 'COMPLETED', num_predictions: 1, num_errors: 0 })
    // The job went through Redis (BullMQ's completed set), not through the queue table. The handler marks
    // the batch job COMPLETED before the worker moves the queue job to BullMQ's completed set: poll.
    await expect.poll(() => probe.zcard(`${t.config.redisPrefix}:expression.inference:completed`)).toBe(1)
    expect(await t.db.kysely.selectFrom('queue_jobs').select('id').execute()).toEqual([])
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.json()).toMatchObject({ checks: { queue: { status: 'ok' } } })
  })
  it('answers 503 within the enqueue deadline while Redis does not answer, leaving no half-made job', async () => {
    const jobs = () => t.db.kysely.selectFrom('batch_jobs').select('id').execute()
    const before = (await jobs()).length
    // Redis holds every other client's commands for 8 s: an outage as the API sees it.
    await probe.call('CLIENT', 'PAUSE', '8000', 'ALL')
    const res = await t.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload: { text: ['Held up.'] },
      headers: t.auth(),
    })
    expect(res.statusCode, res.body).toBe(503)
    expect(res.json()).toMatchObject({ message: expect.stringMatching(/job queue cannot be reached/) })
    // The enqueue deadline (5 s) ended the request (without it the request would have waited out the
    // pause and succeeded); its transaction rolled back.
    expect((await jobs()).length).toBe(before)
    // Once Redis answers again, so does the queue.
    await probe.call('CLIENT', 'UNPAUSE')
    const again = await t.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload: { text: ['Back again.'] },
      headers: t.auth(),
    })
    expect(again.statusCode, again.body).toBe(200)
    const job = await waitForJob(t.app, again.json().job_id as string, t.auth(), { timeoutMs: 30_000 })
    expect(job.state.status).toBe('COMPLETED')
  })
})
