import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

const REDIS_SERVER = process.env.PROSODIA_TEST_REDIS_SERVER ?? '/usr/bin/redis-server'

export interface TestRedis {
  url: string
  stop: () => Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/**
 * A redis-server of the test file's own on a free port, nothing persisted, stopped by `stop()`.
 * Fails (never skips) when the binary is missing: CI installs it, and a skipped queue suite proves nothing.
 */
export async function startRedis(o: { password?: string } = {}): Promise<TestRedis> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(`${REDIS_SERVER} is missing: apt-get install redis-server (or set PROSODIA_TEST_REDIS_SERVER)`)
  }
  // A free port can be taken between the probe and redis-server's bind (test files start in parallel):
  // the server answering must be this one (its process id), else try another port.
  for (let tries = 0; ; tries++) {
    const started = await startOn(await freePort(), o.password)
    if (started) return started
    if (tries >= 4) throw new Error('redis-server could not get a free port after 5 tries')
  }
}

async function startOn(port: number, password?: string): Promise<TestRedis | undefined> {
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      ...(password ? ['--requirepass', password] : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = password ? `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) return undefined
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    probe.on('error', () => {})
    try {
      await probe.connect()
      const info = await probe.info('server')
      probe.disconnect()
      if (Number(/process_id:(\d+)/.exec(info)?.[1]) !== child.pid) {
        // Another file's server holds this port; ours will exit on its failed bind.
        child.kill('SIGKILL')
        await exited
        return undefined
      }
      break
    } catch {
      probe.disconnect()
      if (Date.now() > deadline) {
        child.kill('SIGKILL')
        throw new Error(`redis-server did not start on port ${port}: ${stderr.trim()}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
