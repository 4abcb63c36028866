import { Migrator, type MigrationProvider } from 'kysely'
import type { Db } from './db.js'
import { migrations } from './migrations/index.js'

const provider: MigrationProvider = { getMigrations: async () => migrations }

/** Brings the schema up to date; throws (with the failing migration's error) if any step fails. */
export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db: db.kysely, provider, migrationTableName: 'prosodia_migrations' })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName
    // No migration ran: the database itself could not be reached or read (address, password, permissions).
    const what = failed ? `migration ${failed} failed` : 'cannot open the database'
    throw new Error(`${what}: ${(error as Error).message}`, { cause: error })
  }
}
