import type { Kysely } from 'kysely'

/** A per-account counter bumped by every EVI write: cached list pages are valid while it is unchanged. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addColumn('evi_generation', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('evi_generation').execute()
}
