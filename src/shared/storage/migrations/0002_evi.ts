import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('evi_versions')
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('id', 'varchar(36)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version_description', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addColumn('modified_on', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('evi_versions_pk', ['id', 'version'])
    .execute()
  await db.schema
    .createIndex('evi_versions_list_idx')
    .on('evi_versions')
    .columns(['account_id', 'kind', 'created_on'])
    .execute()
  await db.schema
    .createIndex('evi_versions_name_idx')
    .on('evi_versions')
    .columns(['account_id', 'kind', 'name'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('evi_versions').execute()
}
