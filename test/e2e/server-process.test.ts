import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { HumeClient } from 'hume'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited early with ${child.exitCode}`)
    try {
      if ((await fetch(`${url}/healthz`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('server did not become healthy')
}

/** The two documented commands, as a user runs them: the CLI and `npm start`, on SQLite in a data dir. */
describe('the server process', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-proc-'))
  const env = { ...process.env, PROSODIA_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' }
  let child: ChildProcess
  let url: string

  beforeAll(async () => {
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    // Exactly what `npm start` runs, without npm in between (npm does not relay a child's exit code on SIGTERM).
    const start = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start.split(' ')
    child = spawn(start[0], start.slice(1), {
      cwd: root,
      env: { ...env, PORT: String(port), PROSODIA_API_KEY: 'dev-key-for-tests' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    })
    await waitForHealth(url, child)
  })

  afterAll(() => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL')
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('answers /healthz and /openapi.json without credentials', async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ status: 'ok', database: 'sqlite' })
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
      env,
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

  it('shuts down cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    process.kill(-(child.pid as number), 'SIGTERM')
    expect(await exited).toBe(0)
  })
})
