import type { Kysely } from 'kysely'

/**
 * Secrets of the server itself (the generated signing key), kept in the database every process
 * shares: API and worker processes on other machines must sign webhooks and audio URLs alike, and
 * a data directory is per machine.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('server_secrets').execute()
}
