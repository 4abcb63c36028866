/** Persistence of batch jobs and their uploads. Functions take the db (or a transaction) first. */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely'
import type { AnyKysely } from '../../shared/queue/sql-queue.js'
import type { Status } from './batch.schemas.js'

export interface BatchJobsTable {
  id: string
  account_id: string
  status: Status
  /** JSON of the echoed InferenceRequest. */
  request: string
  created_ms: number
  started_ms: number | null
  ended_ms: number | null
  num_predictions: number | null
  num_errors: number | null
  message: string | null
  /** JSON of the predictions list once COMPLETED. */
  predictions: string | null
}

export interface BatchUploadsTable {
  job_id: string
  idx: number
  filename: string
  content_type: string | null
  md5sum: string
  /** base64 */
  data: string
}

export interface ExpressionTables {
  batch_jobs: BatchJobsTable
  batch_uploads: BatchUploadsTable
}

export type BatchJobRow = Selectable<BatchJobsTable>
export type BatchUploadRow = Selectable<BatchUploadsTable>
type Q = Kysely<ExpressionTables>
const q = (db: AnyKysely): Q => db as Q

export async function insertJob(
  db: AnyKysely,
  job: Insertable<BatchJobsTable>,
  uploads: Insertable<BatchUploadsTable>[],
) {
  await q(db).insertInto('batch_jobs').values(job).execute()
  // One row per statement: a multi-row insert of large base64 strings could pass SQLite's variable limit.
  for (const u of uploads) await q(db).insertInto('batch_uploads').values(u).execute()
}

export async function getJob(db: AnyKysely, accountId: string, id: string): Promise<BatchJobRow | undefined> {
  return q(db)
    .selectFrom('batch_jobs')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** For workers, which act for whichever account owns the job. */
export async function getJobById(db: AnyKysely, id: string): Promise<BatchJobRow | undefined> {
  return q(db).selectFrom('batch_jobs').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function getUploads(db: AnyKysely, jobId: string): Promise<BatchUploadRow[]> {
  return q(db).selectFrom('batch_uploads').selectAll().where('job_id', '=', jobId).orderBy('idx').execute()
}

export interface ListFilter {
  limit: number
  statuses?: Status[]
  when?: 'created_before' | 'created_after'
  timestampMs: number
  sortBy: 'created' | 'started' | 'ended'
  direction: 'asc' | 'desc'
}

const sortColumns = { created: 'created_ms', started: 'started_ms', ended: 'ended_ms' } as const

export async function listJobs(db: AnyKysely, accountId: string, f: ListFilter): Promise<BatchJobRow[]> {
  let query = q(db).selectFrom('batch_jobs').selectAll().where('account_id', '=', accountId)
  if (f.statuses && f.statuses.length > 0) query = query.where('status', 'in', f.statuses)
  if (f.when === 'created_before') query = query.where('created_ms', '<', f.timestampMs)
  if (f.when === 'created_after') query = query.where('created_ms', '>', f.timestampMs)
  const col = sortColumns[f.sortBy]
  // Jobs without that timestamp yet sort last either way (SQLite and Postgres disagree on NULL order).
  return query
    .orderBy(sql`case when ${sql.ref(col)} is null then 1 else 0 end`)
    .orderBy(col, f.direction)
    .orderBy('id', f.direction)
    .limit(f.limit)
    .execute()
}

export async function markStarted(db: AnyKysely, id: string, now: number): Promise<void> {
  // A job re-run after a crash keeps its first start time.
  await q(db)
    .updateTable('batch_jobs')
    .set({ status: 'IN_PROGRESS', started_ms: sql<number>`coalesce(started_ms, ${now})` })
    .where('id', '=', id)
    .where('status', 'in', ['QUEUED', 'IN_PROGRESS'])
    .execute()
}

export async function markCompleted(
  db: AnyKysely,
  id: string,
  r: { now: number; predictions: string; numPredictions: number; numErrors: number },
): Promise<void> {
  await q(db)
    .updateTable('batch_jobs')
    .set({
      status: 'COMPLETED',
      ended_ms: r.now,
      predictions: r.predictions,
      num_predictions: r.numPredictions,
      num_errors: r.numErrors,
    })
    .where('id', '=', id)
    .execute()
  // Uploads are only inputs; once predictions exist they are dead weight.
  await q(db).deleteFrom('batch_uploads').where('job_id', '=', id).execute()
}

export async function markFailed(db: AnyKysely, id: string, now: number, message: string): Promise<void> {
  await q(db)
    .updateTable('batch_jobs')
    .set({ status: 'FAILED', ended_ms: now, started_ms: sql<number>`coalesce(started_ms, ${now})`, message })
    .where('id', '=', id)
    .execute()
}
