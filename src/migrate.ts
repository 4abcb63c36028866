import { configOrExit } from './config.js'
import { databaseUrlFor, openDb } from './shared/storage/db.js'
import { migrateToLatest } from './shared/storage/migrate.js'

const config = configOrExit(process.env)
const db = openDb(databaseUrlFor(config))
await migrateToLatest(db)
await db.close()
process.stdout.write('migrations applied\n')
