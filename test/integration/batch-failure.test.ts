/**
 * A job whose processing fails is FAILED with a message, and its callback
 * receives the failure. Drives the queue handlers directly with an inference
 * pool that always throws.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expressionJobs, type BatchJobDeps, type ExpressionJobs } from '../../src/domains/expression/batch.jobs.js'
import { markStarted } from '../../src/domains/expression/batch.repo.js'
import { BatchService } from '../../src/domains/expression/batch.service.js'
import { AccountService } from '../../src/shared/auth/accounts.service.js'
import { SqlQueue } from '../../src/shared/queue/sql-queue.js'
import { LocalBlobStore } from '../../src/shared/storage/blobs.js'
import { openDb, type Db } from '../../src/shared/storage/db.js'
import { migrateToLatest } from '../../src/shared/storage/migrate.js'
import { createInlinePool } from '../../src/shared/workers/inline-pool.js'
import { hostTasks } from '../../src/shared/workers/worker-host.js'
import { expectUnionJob } from '../helpers/expression-wire.js'
import { dialects, freshDatabaseUrl } from '../helpers/dialects.js'
import { testConfig } from '../helpers/app.js'

/** Batch deps whose worker tasks always throw, as a model bug would. */
function brokenDeps(db: Db): BatchJobDeps & { service: BatchService } {
  const config = testConfig({ fetchAllowList: ['127.0.0.1'] })
  const queue = new SqlQueue<ExpressionJobs>(db.kysely)
  const blobs = new LocalBlobStore(config.blobDir)
  const explode = async () => Promise.reject(new Error('model exploded'))
  const pool = createInlinePool(
    'batch',
    hostTasks({ 'expression.run': explode }, () => ({})),
  )
  const deps = {
    db: db.kysely,
    queue,
    blobs,
    pool,
    limits: config.limits,
    fetch: { allowList: config.fetchAllowList, timeoutMs: 2000 },
    log: pino({ level: 'silent' }),
    now: Date.now,
  }
  return { ...deps, service: new BatchService({ ...deps, fetchAllowList: config.fetchAllowList }) }
}

describe.each(dialects())('failed batch jobs on %s', (dialect) => {
  let db: Db
  let drop: () => Promise<void>
  let server: http.Server
  let hook: string
  const received: unknown[] = []
  beforeAll(async () => {
    const fresh = await freshDatabaseUrl(dialect)
    drop = fresh.drop
    db = openDb(fresh.url)
    await migrateToLatest(db)
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString()))
        res.end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  })
  afterAll(async () => {
    server.close()
    await db.close()
    await drop()
  })

  it('marks the job FAILED and posts the failure to callback_url', async () => {
    const account = await new AccountService(db.kysely, 60).create('a')
    const deps = brokenDeps(db)
    const { service, queue } = deps
    const { job_id } = await service.create(account.account_id, { text: ['boom'], callback_url: hook })
    const handlers = expressionJobs(deps)
    const inference = await queue.claim(['expression.inference'], 'test', 10_000)
    expect(inference?.payload).toEqual({ v: 1, jobId: job_id })
    await handlers['expression.inference'].handle(
      { v: 1, jobId: job_id },
      { job: inference as never, signal: AbortSignal.timeout(60_000) },
    )

    const job = await service.get(account.account_id, job_id)
    expectUnionJob(job)
    expect(job.state).toMatchObject({ status: 'FAILED', message: 'internal error while processing the job' })
    await expect(service.predictions(account.account_id, job_id)).rejects.toMatchObject({ status: 400 })

    // Running the handler again (a re-delivery) changes nothing.
    await handlers['expression.inference'].handle(
      { v: 1, jobId: job_id },
      { job: inference as never, signal: AbortSignal.timeout(60_000) },
    )
    expect((await service.get(account.account_id, job_id)).state.status).toBe('FAILED')

    const callback = await queue.claim(['expression.callback'], 'test', 10_000)
    expect(callback?.payload).toEqual({ v: 1, jobId: job_id })
    await handlers['expression.callback'].handle(
      { v: 1, jobId: job_id },
      { job: callback as never, signal: AbortSignal.timeout(60_000) },
    )
    expect(received).toEqual([{ job_id, status: 'FAILED', message: 'internal error while processing the job' }])
  })

  it('a job left IN_PROGRESS when its every attempt failed ends FAILED through the dead-job hook', async () => {
    const account = await new AccountService(db.kysely, 60).create('b')
    const deps = brokenDeps(db)
    const { service } = deps
    const { job_id } = await service.create(account.account_id, { text: ['stuck'] })
    await markStarted(db.kysely, job_id, Date.now())
    expect((await service.get(account.account_id, job_id)).state.status).toBe('IN_PROGRESS')
    await expressionJobs(deps)['expression.inference'].onDead?.({ v: 1, jobId: job_id }, 'database unavailable')
    const job = await service.get(account.account_id, job_id)
    expectUnionJob(job)
    expect(job.state).toMatchObject({ status: 'FAILED', message: 'the job failed on every attempt' })
  })
})
