import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { appDeps, buildApp, type Domain } from '../../src/app.js'
import { loadConfig, type Config, type Limits } from '../../src/config.js'
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime.js'
import type { NewAccount } from '../../src/shared/auth/accounts.service.js'
import { openDb, type Db, type Dialect } from '../../src/shared/storage/db.js'
import { migrateToLatest } from '../../src/shared/storage/migrate.js'
import { freshDatabaseUrl } from './dialects.js'
import { closeInspectors, engineConfig } from './engines.js'

export interface TestApp {
  app: FastifyInstance
  rt: Runtime
  db: Db
  config: Config
  /** Two accounts, to prove that neither sees the other's resources. */
  alice: NewAccount
  bob: NewAccount
  /** Headers authenticating as alice (default) or bob. */
  auth: (who?: 'alice' | 'bob') => Record<string, string>
  close: () => Promise<void>
}

export interface TestAppOptions {
  /** Config fields to override; `limits` merge into the defaults. */
  config?: Partial<Omit<Config, 'limits'>> & { limits?: Partial<Limits> }
  /** Which domains get routes (default: all). An EVI suite needs no TTS or batch routes. */
  domains?: Domain[]
  runtime?: RuntimeOptions
  /** Start the queue worker (batch jobs run); off by default so suites without jobs poll nothing. */
  workers?: boolean
  /** Capture the app's logs (info level, redaction on) instead of silencing them. */
  logStream?: NodeJS.WritableStream
}

/**
 * A config for one test file: its own data dir (blobs, scratch), removed by close(). With
 * PROSODIA_TEST_ENGINES the run's Redis and S3 (prefixes of its own); `defaultEngines` pins them off.
 */
export function testConfig(overrides: TestAppOptions['config'] = {}): Config {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'prosodia-test-'))
  const base = loadConfig({ PROSODIA_DATA_DIR: dataDir, PROSODIA_TTS_THREADS: '1', PROSODIA_EXPRESSION_THREADS: '1' })
  const { limits, ...rest } = overrides
  return Object.freeze({ ...base, ...engineConfig(), ...rest, limits: Object.freeze({ ...base.limits, ...limits }) })
}

export async function createTestApp(dialect: Dialect = 'sqlite', opts: TestAppOptions = {}): Promise<TestApp> {
  const { url, drop } = await freshDatabaseUrl(dialect)
  const config = testConfig(opts.config)
  const db = openDb(url)
  await migrateToLatest(db)
  // A suite that runs jobs starts its batch thread now, so no test's deadline pays for its start-up.
  const warm = opts.workers ? (['batch'] as const) : []
  const rt = await createRuntime(config, { db, log: pino({ level: 'silent' }), warm, ...opts.runtime })
  await rt.warmed
  const alice = await rt.accounts.create('alice')
  const bob = await rt.accounts.create('bob')
  const logger = opts.logStream ? { stream: opts.logStream, level: 'info' } : (false as const)
  const app = await buildApp({ ...appDeps(rt, opts.domains), logger })
  await app.ready()
  if (opts.workers) rt.startWorkers()
  return {
    app,
    rt,
    db,
    config,
    alice,
    bob,
    auth: (who = 'alice') => ({ 'x-hume-api-key': (who === 'alice' ? alice : bob).api_key }),
    close: async () => {
      await app.close()
      await rt.close()
      await closeInspectors(rt)
      await db.close()
      await drop()
      rmSync(config.dataDir, { recursive: true, force: true })
    },
  }
}

/** Listens on an ephemeral port for SDK contract tests; returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 })
}
