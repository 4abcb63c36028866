/**
 * Two API nodes in one test process, as behind a load balancer: each its own runtime and app on its
 * own port, sharing one database (a fresh PostgreSQL database, or one SQLite connection) and one
 * redis-server of the test file's own (REDIS_URL), so per-account limits and the EVI control plane
 * must work through Redis. `startNode` adds a node on an existing database URL.
 */
import { rmSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { appDeps, buildApp, type Domain } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime.js'
import type { NewAccount } from '../../src/shared/auth/accounts.service.js'
import { openDb, type Db, type Dialect } from '../../src/shared/storage/db.js'
import { migrateToLatest } from '../../src/shared/storage/migrate.js'
import { listen, testConfig, type TestAppOptions } from './app.js'
import { freshDatabaseUrl } from './dialects.js'
import { startRedis, type TestRedis } from './redis.js'

export interface ClusterNode {
  app: FastifyInstance
  rt: Runtime
  db: Db
  /** http://127.0.0.1:port */
  baseUrl: string
  close(): Promise<void>
}

export interface NodeOptions {
  domains?: Domain[]
  runtime?: RuntimeOptions
}

export interface TestCluster {
  a: ClusterNode
  b: ClusterNode
  redis: TestRedis
  /** The config both nodes run with (its redisUrl is `redis.url`). */
  config: Config
  dbUrl: string
  alice: NewAccount
  bob: NewAccount
  auth(who?: 'alice' | 'bob'): Record<string, string>
  close(): Promise<void>
}

/** An API node on an existing, migrated database; listening on an ephemeral port. */
export async function startNode(
  dbUrl: string,
  config: Config,
  o: NodeOptions & { sharedDb?: Db } = {},
): Promise<ClusterNode> {
  const db = o.sharedDb ?? openDb(dbUrl)
  const rt = await createRuntime(config, {
    db,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...o.runtime,
  })
  await rt.warmed
  const app = await buildApp({ ...appDeps(rt, o.domains), logger: false })
  const baseUrl = await listen(app)
  return {
    app,
    rt,
    db,
    baseUrl,
    close: async () => {
      await app.close()
      await rt.close()
      if (!o.sharedDb) await db.close()
    },
  }
}

export async function startTestCluster(
  dialect: Dialect,
  o: NodeOptions & { config?: TestAppOptions['config'] } = {},
): Promise<TestCluster> {
  const redis = await startRedis()
  // One data dir for both nodes (the signing key, local blobs): what a shared volume would give them.
  const config = testConfig({ ...o.config, redisUrl: redis.url })
  // SQLite in memory is one connection's; two nodes share a file instead.
  const { url, drop } =
    dialect === 'postgres'
      ? await freshDatabaseUrl('postgres')
      : { url: `sqlite:${path.join(config.dataDir, 'cluster.db')}`, drop: async () => {} }
  const setup = openDb(url)
  await migrateToLatest(setup)
  // Two nodes in one process cannot each hold a connection to one SQLite file: better-sqlite3 waits
  // for the file's lock synchronously, so one node's wait blocks the event loop the other node needs
  // to commit, until SQLITE_BUSY. Separate processes do not have this problem; here both nodes share
  // one connection, as one process would.
  const sharedDb = dialect === 'sqlite' ? setup : undefined
  if (!sharedDb) await setup.close()
  const a = await startNode(url, config, { ...o, sharedDb })
  const b = await startNode(url, config, { ...o, sharedDb })
  const alice = await a.rt.accounts.create('alice')
  const bob = await a.rt.accounts.create('bob')
  return {
    a,
    b,
    redis,
    config,
    dbUrl: url,
    alice,
    bob,
    auth: (who = 'alice') => ({ 'x-hume-api-key': (who === 'alice' ? alice : bob).api_key }),
    close: async () => {
      await Promise.all([a.close(), b.close()])
      await sharedDb?.close()
      await redis.stop()
      await drop()
      rmSync(config.dataDir, { recursive: true, force: true })
    },
  }
}
