/**
 * Moves what jobs created before migration 0006 kept in the database (uploads as base64,
 * predictions as JSON text) into the blob store, one row at a time, so an upgrade loses nothing.
 * Runs at start-up; a no-op once done. Artifacts of such jobs are rebuilt on first request.
 */
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { BlobStore } from '../../shared/storage/blobs.js'
import type { Database } from '../../shared/storage/database.js'
import { batchKeys } from './batch.keys.js'
import * as repo from './batch.repo.js'

export async function adoptLegacyBatchData(db: Kysely<Database>, blobs: BlobStore, log: Logger): Promise<void> {
  let moved = 0
  for (let up = await repo.nextLegacyUpload(db); up; up = await repo.nextLegacyUpload(db)) {
    const key = batchKeys.upload(up.job_id, up.idx)
    const stored = await blobs.put(key, Buffer.from(up.data, 'base64'))
    await repo.moveLegacyUpload(db, {
      job_id: up.job_id,
      idx: up.idx,
      filename: up.filename,
      content_type: up.content_type,
      md5sum: up.md5sum,
      size: stored.size,
      blob_key: key,
    })
    moved++
  }
  for (let job = await repo.nextLegacyPredictions(db); job; job = await repo.nextLegacyPredictions(db)) {
    await blobs.put(batchKeys.predictions(job.id), job.predictions ?? '[]')
    await repo.clearLegacyPredictions(db, job.id)
    moved++
  }
  if (moved > 0) log.info({ moved }, 'moved batch data of earlier versions from the database to the blob store')
}
