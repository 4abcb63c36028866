import type { Kysely } from 'kysely'

/**
 * Uploaded batch files move out of the database into the blob store: `batch_files` keeps their
 * metadata and blob key. `batch_uploads` (base64 bytes) stays only so that start-up can move the
 * rows of jobs created before this migration; nothing writes to it any more.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('batch_files')
    .addColumn('job_id', 'varchar(36)', (c) => c.notNull().references('batch_jobs.id').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('md5sum', 'varchar(32)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('batch_files_pk', ['job_id', 'idx'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('batch_files').execute()
}
