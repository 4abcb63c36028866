import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { HumeClient } from 'hume'
import WebSocket from 'ws'
import { openDb } from '../../src/shared/storage/db.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT as root, startServer, type ServerProcess } from '../helpers/server.js'

/**
 * The two documented commands, as a user runs them: the CLI and `npm start`, on SQLite in a data
 * dir. Every test stands alone: the one that stops a server starts its own.
 */
describe('the server process', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-proc-'))
  const env = { PROSODIA_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' }
  let server: ServerProcess
  let url: string

  beforeAll(async () => {
    server = await startServer({ ...env, PROSODIA_API_KEY: 'dev-key-for-tests' })
    url = server.url
  })

  afterAll(async () => {
    await server.stop('SIGKILL')
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('answers /healthz and /openapi.json without credentials', async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({
      status: 'ok',
      database: 'sqlite',
      queue: { workers: 1 },
    })
    const spec = await (await fetch(`${url}/openapi.json`)).json()
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v0/evi/configs', '/v0/evi/prompts/{id}/version/{version}']),
    )
  })

  it('PROSODIA_API_KEY authenticates the official SDK', async () => {
    const hume = new HumeClient({ apiKey: 'dev-key-for-tests', environment: url })
    const prompt = await hume.empathicVoice.prompts.createPrompt({ name: 'From SDK', text: 'Hello' })
    expect(prompt?.version).toBe(0)
    const wrong = new HumeClient({ apiKey: 'wrong', environment: url, maxRetries: 0 })
    await expect(wrong.empathicVoice.prompts.listPrompts()).rejects.toMatchObject({ statusCode: 401 })
  })

  it('`prosodia accounts create` prints credentials that work against the running server', async () => {
    const out = spawnSync(path.join(root, 'bin/prosodia.js'), ['accounts', 'create', 'cli-user'], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    })
    expect(out.status, out.stderr).toBe(0)
    const created = JSON.parse(out.stdout)
    expect(Object.keys(created).sort()).toEqual(['account_id', 'api_key', 'secret_key'])
    const res = await fetch(`${url}/v0/evi/prompts`, { headers: { 'x-hume-api-key': created.api_key } })
    expect(res.status).toBe(200)
    expect((await res.json()).prompts_page).toEqual([])
  })

  it('stores keys hashed, never in clear', () => {
    const db = fs.readFileSync(path.join(dataDir, 'prosodia.db'))
    const wal = fs.existsSync(path.join(dataDir, 'prosodia.db-wal'))
      ? fs.readFileSync(path.join(dataDir, 'prosodia.db-wal'))
      : Buffer.alloc(0)
    expect(db.includes('dev-key-for-tests')).toBe(false)
    expect(wal.includes('dev-key-for-tests')).toBe(false)
  })

  it('shuts down cleanly on SIGTERM, worker threads and all', async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-proc-term-'))
    const other = await startServer({ ...env, PROSODIA_DATA_DIR: own, PROSODIA_API_KEY: 'term-key' })
    try {
      // Synthesis starts the TTS pool's threads: they must not keep the process alive.
      const res = await fetch(`${other.url}/v0/tts/file`, {
        method: 'POST',
        headers: { 'x-hume-api-key': 'term-key', 'content-type': 'application/json' },
        body: JSON.stringify({ utterances: [{ text: 'Goodbye.', voice: { name: 'Kora', provider: 'HUME_AI' } }] }),
      })
      expect(res.status).toBe(200)
      expect(await other.stop('SIGTERM')).toBe(0)
    } finally {
      await other.stop('SIGKILL')
      fs.rmSync(own, { recursive: true, force: true })
    }
  })

  it('hands a running batch job back to the queue on SIGTERM and exits 0 at once', async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-proc-job-'))
    let asked!: () => void
    const fetched = new Promise<void>((r) => (asked = r))
    const media = http.createServer(() => asked()) // never answers: the job waits on its download
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', r))
    const mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/slow.txt`
    const other = await startServer({
      ...env,
      PROSODIA_DATA_DIR: own,
      PROSODIA_API_KEY: 'job-key',
      PROSODIA_FETCH_ALLOW: '127.0.0.1',
    })
    try {
      const res = await fetch(`${other.url}/v0/batch/jobs`, {
        method: 'POST',
        headers: { 'x-hume-api-key': 'job-key', 'content-type': 'application/json' },
        body: JSON.stringify({ urls: [mediaUrl] }),
      })
      const { job_id } = (await res.json()) as { job_id: string }
      await fetched
      expect(await other.stop('SIGTERM')).toBe(0)
      const db = openDb(`sqlite:${path.join(own, 'prosodia.db')}`)
      const row = await db.kysely
        .selectFrom('queue_jobs')
        .select(['state', 'attempts', 'lease_owner'])
        .where('key', '=', `inference:${job_id}`)
        .executeTakeFirstOrThrow()
      await db.close()
      // Runnable at once by the next worker, and the interrupted delivery did not use up an attempt.
      expect(row).toEqual({ state: 'ready', attempts: 0, lease_owner: null })
    } finally {
      await other.stop('SIGKILL')
      media.closeAllConnections()
      media.close()
      fs.rmSync(own, { recursive: true, force: true })
    }
  })
  it('drains sockets on SIGTERM: clients are told 1012 and a chat writes its end before the process exits', async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-proc-drain-'))
    const key = 'drain-key'
    const other = await startServer({ ...env, PROSODIA_DATA_DIR: own, PROSODIA_API_KEY: key })
    try {
      const ws = new WebSocket(`${other.url.replace('http', 'ws')}/v0/evi/chat?api_key=${key}`)
      const metadata = await new Promise<{ chat_id: string }>((resolve, reject) => {
        ws.on('message', (data) => {
          const m = JSON.parse(String(data)) as { type: string; chat_id: string }
          if (m.type === 'chat_metadata') resolve(m)
        })
        ws.once('error', reject)
      })
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
      expect(await other.stop('SIGTERM')).toBe(0)
      // Service restart: the SDKs reconnect (through a load balancer, to a node that stays).
      expect(await closed).toBe(1012)
      // The chat's end reached the database before it closed: not left ACTIVE for the next start to mark ERROR.
      const db = openDb(`sqlite:${path.join(own, 'prosodia.db')}`)
      const chat = await db.kysely
        .selectFrom('evi_chats')
        .select(['status', 'end_timestamp'])
        .where('id', '=', metadata.chat_id)
        .executeTakeFirstOrThrow()
      const end = await db.kysely
        .selectFrom('evi_chat_events')
        .select('type')
        .where('chat_id', '=', metadata.chat_id)
        .where('type', '=', 'CHAT_END_MESSAGE')
        .execute()
      await db.close()
      expect(chat.status).not.toBe('ACTIVE')
      expect(chat.end_timestamp).not.toBeNull()
      expect(end).toHaveLength(1)
    } finally {
      await other.stop('SIGKILL')
      fs.rmSync(own, { recursive: true, force: true })
    }
  })
})
