/** Persistence of batch jobs and their uploaded files' metadata. Functions take the db (or a transaction) first. */
import { sql, type Insertable, type Kysely } from 'kysely'
import type {
  BatchFileRow,
  BatchFilesTable,
  BatchJobRow,
  BatchJobsTable,
  BatchStatus,
  Database,
  Executor,
} from '../../shared/storage/database.js'

export async function insertJob(
  db: Executor,
  job: Insertable<BatchJobsTable>,
  files: Insertable<BatchFilesTable>[],
): Promise<void> {
  await db.insertInto('batch_jobs').values(job).execute()
  if (files.length > 0) await db.insertInto('batch_files').values(files).execute()
}

export async function getJob(db: Executor, accountId: string, id: string): Promise<BatchJobRow | undefined> {
  return db
    .selectFrom('batch_jobs')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** For workers, which act for whichever account owns the job. */
export async function getJobById(db: Executor, id: string): Promise<BatchJobRow | undefined> {
  return db.selectFrom('batch_jobs').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function getFiles(db: Executor, jobId: string): Promise<BatchFileRow[]> {
  return db.selectFrom('batch_files').selectAll().where('job_id', '=', jobId).orderBy('idx').execute()
}

export interface ListFilter {
  limit: number
  statuses?: BatchStatus[]
  when?: 'created_before' | 'created_after'
  timestampMs: number
  sortBy: 'created' | 'started' | 'ended'
  direction: 'asc' | 'desc'
}

const sortColumns = { created: 'created_ms', started: 'started_ms', ended: 'ended_ms' } as const

/** The page's job ids in order, each with the size of its stored request: a list is sized before it is read. */
export async function listJobSizes(
  db: Executor,
  accountId: string,
  f: ListFilter,
): Promise<{ id: string; bytes: number }[]> {
  let query = db
    .selectFrom('batch_jobs')
    .select(['id', (eb) => eb.fn<number>('length', ['request']).as('bytes')])
    .where('account_id', '=', accountId)
  if (f.statuses && f.statuses.length > 0) query = query.where('status', 'in', f.statuses)
  if (f.when === 'created_before') query = query.where('created_ms', '<', f.timestampMs)
  if (f.when === 'created_after') query = query.where('created_ms', '>', f.timestampMs)
  const col = sortColumns[f.sortBy]
  // Jobs without that timestamp yet sort last either way (SQLite and Postgres disagree on NULL order).
  const rows = await query
    .orderBy(sql`case when ${sql.ref(col)} is null then 1 else 0 end`)
    .orderBy(col, f.direction)
    .orderBy('id', f.direction)
    .limit(f.limit)
    .execute()
  return rows.map((r) => ({ id: r.id, bytes: Number(r.bytes) }))
}

/** Jobs by id, in the order given. */
export async function getJobsByIds(db: Executor, accountId: string, ids: string[]): Promise<BatchJobRow[]> {
  const rows: BatchJobRow[] = []
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500)
    rows.push(
      ...(await db
        .selectFrom('batch_jobs')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('id', 'in', part)
        .execute()),
    )
  }
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids.flatMap((id) => byId.get(id) ?? [])
}

export async function markStarted(db: Executor, id: string, now: number): Promise<void> {
  // A job re-run after a crash keeps its first start time.
  await db
    .updateTable('batch_jobs')
    .set({ status: 'IN_PROGRESS', started_ms: sql<number>`coalesce(started_ms, ${now})` })
    .where('id', '=', id)
    .where('status', 'in', ['QUEUED', 'IN_PROGRESS'])
    .execute()
}

export async function markCompleted(
  db: Executor,
  id: string,
  r: { now: number; numPredictions: number; numErrors: number },
): Promise<void> {
  await db
    .updateTable('batch_jobs')
    .set({ status: 'COMPLETED', ended_ms: r.now, num_predictions: r.numPredictions, num_errors: r.numErrors })
    .where('id', '=', id)
    // A job ends once: a late duplicate run (a lease lost mid-job) must not rewrite its outcome.
    .where('status', 'in', ['QUEUED', 'IN_PROGRESS'])
    .execute()
  // Uploads are only inputs; once results exist their metadata lives on in the request's `files`.
  await db.deleteFrom('batch_files').where('job_id', '=', id).execute()
}

export async function markFailed(db: Executor, id: string, now: number, message: string): Promise<void> {
  await db
    .updateTable('batch_jobs')
    .set({ status: 'FAILED', ended_ms: now, started_ms: sql<number>`coalesce(started_ms, ${now})`, message })
    .where('id', '=', id)
    .where('status', 'in', ['QUEUED', 'IN_PROGRESS'])
    .execute()
}

// ---- rows written before migration 0006 (bytes and results in the database) ----

export async function nextLegacyUpload(db: Executor) {
  return db.selectFrom('batch_uploads').selectAll().orderBy('job_id').orderBy('idx').limit(1).executeTakeFirst()
}

export async function moveLegacyUpload(db: Kysely<Database>, file: Insertable<BatchFilesTable>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('batch_files')
      .values(file)
      .onConflict((oc) => oc.doNothing())
      .execute()
    await trx.deleteFrom('batch_uploads').where('job_id', '=', file.job_id).where('idx', '=', file.idx).execute()
  })
}

export async function nextLegacyPredictions(db: Executor) {
  return db
    .selectFrom('batch_jobs')
    .select(['id', 'predictions'])
    .where('predictions', 'is not', null)
    .limit(1)
    .executeTakeFirst()
}

export async function clearLegacyPredictions(db: Executor, id: string): Promise<void> {
  await db.updateTable('batch_jobs').set({ predictions: null }).where('id', '=', id).execute()
}
