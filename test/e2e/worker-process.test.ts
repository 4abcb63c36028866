// API and workers apart: `npm run api` serves HTTP without running jobs, and a separate
// `npm run worker` on the same database and data dir completes what the API queued.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort, startServer, type ServerProcess } from '../helpers/server.js'

describe('npm run api and npm run worker', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-worker-'))
  const env = { PROSODIA_DATA_DIR: dataDir, PROSODIA_API_KEY: 'split-key', LOG_LEVEL: 'info' }
  const started: ServerProcess[] = []
  afterAll(async () => {
    for (const s of started) await s.stop('SIGKILL')
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const status = async (api: ServerProcess, id: string) =>
    (
      (await (
        await fetch(`${api.url}/v0/batch/jobs/${id}`, { headers: { 'x-hume-api-key': 'split-key' } })
      ).json()) as {
        state: { status: string; num_predictions?: number }
      }
    ).state

  it('queues jobs in the API process and completes them in the worker process', async () => {
    const api = await startServer(env, 'api')
    started.push(api)
    const res = await fetch(`${api.url}/v0/batch/jobs`, {
      method: 'POST',
      headers: { 'x-hume-api-key': 'split-key', 'content-type': 'application/json' },
      body: JSON.stringify({ text: ['So glad this worked!'] }),
    })
    const { job_id: id } = (await res.json()) as { job_id: string }
    // The API process runs no queue workers, so the job waits for one.
    const health = (await (await fetch(`${api.url}/healthz`)).json()) as { queue: { workers: number } }
    expect(health.queue.workers).toBe(0)
    expect((await status(api, id)).status).toBe('QUEUED')
    const opsPort = await freePort()
    const worker = await startServer({ ...env, PROSODIA_METRICS_PORT: String(opsPort) }, 'worker')
    started.push(worker)
    let state = await status(api, id)
    while (state.status !== 'COMPLETED' && state.status !== 'FAILED') {
      await new Promise((r) => setTimeout(r, 50))
      state = await status(api, id)
    }
    expect(state).toMatchObject({ status: 'COMPLETED', num_predictions: 1 })
    // The worker has no API, but serves its own metrics and probes (PROSODIA_METRICS_PORT).
    const ops = `http://127.0.0.1:${opsPort}`
    const metrics = await (await fetch(`${ops}/metrics`)).text()
    expect(metrics).toMatch(
      /^prosodia_queue_job_outcomes_total\{name="expression\.inference",outcome="completed"\} 1$/m,
    )
    expect(metrics).toMatch(/^prosodia_worker_pool_threads\{pool="batch"\} 1$/m)
    const ready = await fetch(`${ops}/readyz`)
    expect(ready.status).toBe(200)
    expect(((await ready.json()) as { checks: Record<string, unknown> }).checks).toHaveProperty('blobs')
    expect(await (await fetch(`${ops}/healthz`)).json()).toMatchObject({ status: 'ok', role: 'worker' })
    // Not the API: no route of it is served here.
    expect((await fetch(`${ops}/v0/batch/jobs`)).status).toBe(404)
    expect(await worker.stop('SIGTERM')).toBe(0)
    expect(await api.stop('SIGTERM')).toBe(0)
  })
})
