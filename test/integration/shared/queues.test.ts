/**
 * The queue contract on each implementation: the SQL queue on SQLite (and PostgreSQL when DIALECTS
 * asks for it), and BullMQ on a redis-server this file starts.
 */
import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { BullQueue } from '../../../src/shared/queue/bullmq-queue.js'
import { SqlQueue } from '../../../src/shared/queue/sql-queue.js'
import { openDb } from '../../../src/shared/storage/db.js'
import { migrateToLatest } from '../../../src/shared/storage/migrate.js'
import { dialects, freshDatabaseUrl } from '../../helpers/dialects.js'
import { startRedis } from '../../helpers/redis.js'
import { queueContract, type Jobs } from './queue.contract.js'

for (const dialect of dialects()) {
  queueContract(`SqlQueue on ${dialect}`, async () => {
    const fresh = await freshDatabaseUrl(dialect)
    const db = openDb(fresh.url)
    await migrateToLatest(db)
    return {
      db: db.kysely,
      // SQLite has a single connection, held by an open transaction.
      claimDuringTx: dialect === 'postgres',
      fresh: async () => {
        await db.kysely.deleteFrom('queue_jobs').execute()
        return new SqlQueue<Jobs>(db.kysely)
      },
      close: async () => {
        await db.close()
        await fresh.drop()
      },
    }
  })
}

queueContract('BullQueue on redis-server', async () => {
  const redis = await startRedis()
  const connection = BullQueue.connect(redis.url)
  const db = openDb('sqlite::memory:')
  await migrateToLatest(db)
  const queues: BullQueue<Jobs>[] = []
  return {
    db: db.kysely,
    claimDuringTx: true,
    fresh: async () => {
      // A prefix of its own: a clean slate without flushing what other tests left running.
      const q = new BullQueue<Jobs>(connection, {
        prefix: `t-${randomUUID()}`,
        stalledCheckMs: 50,
        log: pino({ level: 'silent' }),
      })
      queues.push(q)
      return q
    },
    close: async () => {
      await Promise.all(queues.map((q) => q.close()))
      connection.disconnect()
      await db.close()
      await redis.stop()
    },
  }
})
