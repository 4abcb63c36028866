import type { FastifyInstance } from 'fastify'
import { buildApp, type AppDeps } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { AccountService, type NewAccount } from '../../src/shared/auth/accounts.service.js'
import { openDb, type Db, type Dialect } from '../../src/shared/storage/db.js'
import { migrateToLatest } from '../../src/shared/storage/migrate.js'
import { freshDatabaseUrl } from './dialects.js'

export interface TestApp {
  app: FastifyInstance
  db: Db
  config: Config
  /** Two accounts, to prove that neither sees the other's resources. */
  alice: NewAccount
  bob: NewAccount
  /** Headers authenticating as alice (default) or bob. */
  auth: (who?: 'alice' | 'bob') => Record<string, string>
  close: () => Promise<void>
}

export async function createTestApp(
  dialect: Dialect = 'sqlite',
  overrides: Partial<Config> = {},
  extra: Partial<AppDeps> = {},
): Promise<TestApp> {
  const { url, drop } = await freshDatabaseUrl(dialect)
  const config: Config = { ...loadConfig({ PROSODIA_DATA_DIR: '/tmp/prosodia-test' }), ...overrides }
  const db = openDb(url)
  await migrateToLatest(db)
  const accounts = new AccountService(db.kysely, config.tokenTtlSeconds)
  const alice = await accounts.create('alice')
  const bob = await accounts.create('bob')
  // vitest's module runner cannot load TypeScript in worker threads, so inference runs in-process here;
  // the crash test runs the real server, threads and all, as a child process.
  const app = await buildApp({ config, db, logger: false, ...extra, expression: { threads: 0, ...extra.expression } })
  await app.ready()
  return {
    app,
    db,
    config,
    alice,
    bob,
    auth: (who = 'alice') => ({ 'x-hume-api-key': (who === 'alice' ? alice : bob).api_key }),
    close: async () => {
      await app.close()
      await db.close()
      await drop()
    },
  }
}

/** Listens on an ephemeral port for SDK contract tests; returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return address
}
