import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { AccountService } from './shared/auth/accounts.service.js'
import { databaseUrlFor, openDb } from './shared/storage/db.js'
import { migrateToLatest } from './shared/storage/migrate.js'

const config = loadConfig(process.env)
const db = openDb(databaseUrlFor(config))
await migrateToLatest(db)
if (config.bootstrapApiKey) {
  await new AccountService(db.kysely, config.tokenTtlSeconds).ensure('default', config.bootstrapApiKey)
}
const app = await buildApp({
  config,
  db,
  expression: { threads: config.expressionThreads, leaseMs: config.queueLeaseMs },
})

let closing = false
async function shutdown(signal: string): Promise<void> {
  if (closing) return
  closing = true
  app.log.info({ signal }, 'shutting down')
  // Stop accepting, let in-flight requests finish, then release the database.
  const timer = setTimeout(() => process.exit(1), 10_000).unref()
  await app.close()
  await db.close()
  clearTimeout(timer)
  process.exit(0)
}
process.once('SIGTERM', () => void shutdown('SIGTERM'))
process.once('SIGINT', () => void shutdown('SIGINT'))

await app.listen({ host: config.host, port: config.port })
