/**
 * The chat history domain as the runtime builds it: the writer the chat socket uses, the reader the
 * routes use, the URL signer both share, and the reconstruction job for the queue worker.
 */
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Queue } from '../../../shared/queue/queue.js'
import type { BlobStore } from '../../../shared/storage/blobs.js'
import type { Database } from '../../../shared/storage/database.js'
import type { WorkerPool } from '../../../shared/workers/pool.js'
import { AudioUrlSigner, presignedAudioLinks, serverAudioLinks, type AudioLinks } from './audio-url.js'
import { createChatHistory } from './chat-history.js'
import { HistoryService } from './history.service.js'
import type { ChatHistory } from './history.types.js'
import { reconstructionJobs, type EviHistoryJobs } from './reconstruction.jobs.js'

export type { EviHistoryJobs } from './reconstruction.jobs.js'

export interface EviHistoryDeps {
  db: Kysely<Database>
  queue: Queue<EviHistoryJobs>
  blobs: BlobStore
  /** Mixes recordings in its threads (the batch pool). */
  pool: WorkerPool
  /** Scratch dir (`<dataDir>/tmp`) for recordings in progress. */
  tmpDir: string
  limits: { mediaSeconds: number; pageBytes: number }
  /** The server's signing key (src/shared/auth/signing-key.ts). */
  signingKey: string
  /**
   * S3_PRESIGNED_URLS: finished audio is linked straight from the bucket with this (the S3 store's
   * presignedGetUrl); unset, the server serves it at a URL it signs.
   */
  presign?: Parameters<typeof presignedAudioLinks>[0]
  log: Logger
  now?: () => number
}

export interface EviHistory {
  /** What the chat socket writes through. */
  chats: ChatHistory
  /** What the history routes read through. */
  reader: HistoryService
  signer: AudioUrlSigner
  /** Where the recordings and the reconstructed audio live. */
  blobs: BlobStore
}

export function createEviHistory(d: EviHistoryDeps): EviHistory {
  const now = d.now ?? Date.now
  const signer = new AudioUrlSigner(d.signingKey, now)
  return {
    chats: createChatHistory({
      db: d.db,
      queue: d.queue,
      blobs: d.blobs,
      tmpDir: d.tmpDir,
      maxRecordingSeconds: d.limits.mediaSeconds,
      log: d.log,
      now,
    }),
    reader: new HistoryService(d.db, links(d, signer, now), { pageBytes: d.limits.pageBytes }),
    signer,
    blobs: d.blobs,
  }
}

function links(d: EviHistoryDeps, signer: AudioUrlSigner, now: () => number): AudioLinks {
  return d.presign ? presignedAudioLinks(d.presign, now) : serverAudioLinks(signer)
}

export function eviHistoryJobs(d: EviHistoryDeps) {
  return reconstructionJobs({
    db: d.db,
    blobs: d.blobs,
    pool: d.pool,
    maxSeconds: d.limits.mediaSeconds,
    log: d.log,
    now: d.now ?? Date.now,
  })
}
