import type { Kysely } from 'kysely'

/**
 * Expression Measurement batch jobs, their uploaded files, and the durable
 * SQL queue (`queue_jobs`, used by src/shared/queue/sql-queue.ts) that runs them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('queue_jobs')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    // Dedupe key: enqueueing the same key twice yields one job.
    .addColumn('key', 'varchar(200)', (c) => c.unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'varchar(64)')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('queue_jobs_claim_idx').on('queue_jobs').columns(['state', 'run_at']).execute()

  await db.schema
    .createTable('batch_jobs')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('started_ms', 'bigint')
    .addColumn('ended_ms', 'bigint')
    .addColumn('num_predictions', 'integer')
    .addColumn('num_errors', 'integer')
    .addColumn('message', 'text')
    .addColumn('predictions', 'text')
    .execute()
  await db.schema.createIndex('batch_jobs_list_idx').on('batch_jobs').columns(['account_id', 'created_ms']).execute()

  await db.schema
    .createTable('batch_uploads')
    .addColumn('job_id', 'varchar(36)', (c) => c.notNull().references('batch_jobs.id').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('md5sum', 'varchar(32)', (c) => c.notNull())
    // base64 text rather than a blob: the one column type SQLite and PostgreSQL share.
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('batch_uploads_pk', ['job_id', 'idx'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('batch_uploads').execute()
  await db.schema.dropTable('batch_jobs').execute()
  await db.schema.dropTable('queue_jobs').execute()
}
