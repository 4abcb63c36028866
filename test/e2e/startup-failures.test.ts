// Start-up against engines that refuse it, as an operator meets it: a wrong Redis password must not
// reach the log (ioredis errors carry the failed command, and AUTH's argument is the password); a
// database that cannot be opened is one line on stderr and exit 1, not a stack trace per restart.
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startRedis, type TestRedis } from '../helpers/redis.js'
import { ROOT, scriptCommand, startServer, type ServerProcess } from '../helpers/server.js'

describe('npm run api with a wrong Redis password', () => {
  let redis: TestRedis
  let api: ServerProcess | undefined
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-redis-auth-'))
  beforeAll(async () => {
    redis = await startRedis({ password: 'TheRightPassword42' })
  })
  afterAll(async () => {
    await api?.stop('SIGKILL')
    await redis?.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('logs the authentication failure without the password, and is not ready', async () => {
    const wrong = redis.url.replace('TheRightPassword42', 'WrongSecretPw99')
    api = await startServer({ PROSODIA_DATA_DIR: dataDir, REDIS_URL: wrong, DATABASE_URL: '' }, 'api')
    const ready = await fetch(`${api.url}/readyz`)
    expect(ready.status).toBe(503)
    await expect.poll(() => api!.output(), { timeout: 20_000 }).toMatch(/WRONGPASS/)
    expect(api.output()).not.toContain('WrongSecretPw99')
  })
})

describe('npm run api and npm run worker with a database they cannot open', () => {
  it.each(['api', 'worker'] as const)('npm run %s says so in one line and exits 1', (script) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-bad-db-'))
    try {
      const url = new URL(process.env.PROSODIA_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres')
      url.password = 'not-the-password'
      const [cmd, ...args] = scriptCommand(script)
      const run = spawnSync(cmd!, args, {
        cwd: ROOT,
        env: { ...process.env, VITEST: '', PROSODIA_DATA_DIR: dataDir, DATABASE_URL: url.toString(), PORT: '0' },
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(run.status).toBe(1)
      const lines = run.stderr.split('\n').filter((l) => l.startsWith('prosodia:'))
      expect(lines).toEqual([expect.stringMatching(/^prosodia: cannot start: cannot open the database: .*password/)])
      expect(run.stderr).not.toMatch(/^\s+at /m)
      expect(run.stderr + run.stdout).not.toContain('not-the-password')
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
