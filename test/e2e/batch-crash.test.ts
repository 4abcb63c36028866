/**
 * Durability: a server SIGKILLed while a job is IN_PROGRESS loses nothing. The job is held
 * mid-download by a URL that stalls; after the kill a new server process on the same database
 * reclaims the job once its lease expires and completes it. Runs the real entry point with
 * worker threads.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dialects, freshDatabaseUrl } from '../helpers/dialects.js'
import { freePort, startServer, type ServerProcess } from '../helpers/server.js'

const KEY = 'crash-test-key-0123456789abcdef'

describe.each(dialects())('batch jobs survive SIGKILL on %s', (dialect) => {
  let dataDir: string
  // SQLite: a file in dataDir shared by both processes; Postgres: a fresh database.
  let databaseUrl = ''
  let drop = async () => {}
  let media: http.Server
  let mediaUrl: string
  let stalled = 0
  const servers: ServerProcess[] = []

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'prosodia-crash-'))
    if (dialect === 'postgres') ({ url: databaseUrl, drop } = await freshDatabaseUrl('postgres'))
    // The first request hangs forever (the server dies holding it); later ones answer.
    media = http.createServer((_req, res) => {
      if (stalled++ === 0) return
      res.end('After the restart, I am relieved that everything worked out.')
    })
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', r))
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/slow.txt`
  })
  afterAll(async () => {
    for (const s of servers) await s.stop('SIGKILL')
    media.closeAllConnections()
    media.close()
    rmSync(dataDir, { recursive: true, force: true })
    await drop()
  })

  const start = async (port: number) => {
    const s = await startServer({
      PORT: String(port),
      PROSODIA_DATA_DIR: dataDir,
      PROSODIA_API_KEY: KEY,
      PROSODIA_FETCH_ALLOW: '127.0.0.1',
      PROSODIA_QUEUE_LEASE_MS: '1500',
      PROSODIA_EXPRESSION_THREADS: '1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
    })
    servers.push(s)
    return s
  }

  const api = (port: number, path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      ...init,
      headers: { 'x-hume-api-key': KEY, 'content-type': 'application/json', ...init.headers },
    }).then((r) => r.json() as Promise<Record<string, any>>) // eslint-disable-line @typescript-eslint/no-explicit-any

  it('reclaims and completes the job after a restart', async () => {
    const port = await freePort()
    const first = await start(port)
    const { job_id: id } = await api(port, '/v0/batch/jobs', {
      method: 'POST',
      body: JSON.stringify({ urls: [mediaUrl], text: ['I was worried this would be lost.'] }),
    })
    while (stalled === 0) await new Promise((r) => setTimeout(r, 20))
    expect((await api(port, `/v0/batch/jobs/${id}`)).state.status).toBe('IN_PROGRESS')

    await first.stop('SIGKILL')
    await start(port)
    let job: Record<string, any> = {} // eslint-disable-line @typescript-eslint/no-explicit-any
    for (;;) {
      job = await api(port, `/v0/batch/jobs/${id}`)
      if (job.state.status === 'COMPLETED' || job.state.status === 'FAILED') break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(job.state).toMatchObject({ status: 'COMPLETED', num_predictions: 2, num_errors: 0 })
    expect(stalled).toBe(2)
    const preds = (await api(port, `/v0/batch/jobs/${id}/predictions`)) as unknown as { source: { type: string } }[]
    expect(preds.map((p) => p.source.type)).toEqual(['url', 'text'])
  })
})
