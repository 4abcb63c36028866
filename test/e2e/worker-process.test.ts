// `npm run worker` runs the queue workers alone: a job submitted through an API that runs no
// workers stays QUEUED until a separate worker process, on the same database, completes it.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appDeps, buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createRuntime, type Runtime } from '../../src/runtime.js'
import { waitForJob } from '../helpers/jobs.js'
import { startServer } from '../helpers/server.js'

describe('the worker process', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-worker-'))
  let rt: Runtime
  let app: Awaited<ReturnType<typeof buildApp>>
  let headers: Record<string, string>
  beforeAll(async () => {
    // An API without workers, on a SQLite file the worker process shares.
    rt = await createRuntime(loadConfig({ PROSODIA_DATA_DIR: dataDir }), { log: pino({ level: 'silent' }) })
    app = await buildApp({ ...appDeps(rt, ['expression']), logger: false })
    headers = { 'x-hume-api-key': (await rt.accounts.create('w')).api_key }
  })
  afterAll(async () => {
    await app.close()
    await rt.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('completes jobs an API process queued, and stops cleanly on SIGTERM', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload: { text: ['So glad this worked!'] },
      headers,
    })
    const id = res.json().job_id as string
    const queued = await app.inject({ method: 'GET', url: `/v0/batch/jobs/${id}`, headers })
    expect(queued.json().state.status).toBe('QUEUED')
    const worker = await startServer({ PROSODIA_DATA_DIR: dataDir, PROSODIA_EXPRESSION_THREADS: '1' }, 'worker')
    try {
      const job = await waitForJob(app, id, headers, { timeoutMs: 30_000 })
      expect(job.state).toMatchObject({ status: 'COMPLETED', num_predictions: 1, num_errors: 0 })
      expect(await worker.stop('SIGTERM')).toBe(0)
    } finally {
      await worker.stop('SIGKILL')
    }
  })
})
