/**
 * `evi.audio_reconstruction`: after a chat ends, mixes its recorded sides into one MP3 (in a worker
 * thread), stores it and moves the chat's audio status QUEUED → IN_PROGRESS → COMPLETE, or ERROR
 * when the recording cannot be mixed. Idempotent: the file is stored atomically under a fixed key,
 * so a run cut short by a crash is simply run again, and a completed one only tidies up.
 */
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { JobRegistry } from '../../../shared/queue/queue.js'
import type { BlobStore } from '../../../shared/storage/blobs.js'
import type { Database } from '../../../shared/storage/database.js'
import { PoolBusyError, type WorkerPool } from '../../../shared/workers/pool.js'
import { audioFilename, historyKeys, type TrackSide } from './history.keys.js'
import * as repo from './history.repo.js'
import type { ReconstructInput, ReconstructMessage } from './reconstruct.task.js'

export type EviHistoryJobs = {
  'evi.audio_reconstruction': { v: 1; accountId: string; chatId: string }
}

export interface ReconstructionDeps {
  db: Kysely<Database>
  blobs: BlobStore
  /** The pool whose threads mix and encode (the batch pool: background work at low priority). */
  pool: WorkerPool
  /** The longest mix (PROSODIA_MEDIA_MAX_SECONDS). */
  maxSeconds: number
  log: Logger
  now: () => number
}

/** The mix failed in its thread (a damaged track, a bug): no retry will help, the chat's audio is ERROR. */
class MixError extends Error {}

const SIDES: TrackSide[] = ['user', 'assistant']

/** The MP3 bytes the thread streams back; a failure there becomes a MixError. */
async function* encodedBytes(d: ReconstructionDeps, input: ReconstructInput, signal: AbortSignal) {
  try {
    for await (const m of d.pool.stream<ReconstructMessage>('evi.history.reconstruct', input, { signal })) {
      if ('bytes' in m) yield m.bytes
    }
  } catch (err) {
    if (err instanceof PoolBusyError || signal.aborted) throw err
    throw new MixError((err as Error).message, { cause: err })
  }
}

async function reconstruct(d: ReconstructionDeps, p: EviHistoryJobs['evi.audio_reconstruction'], signal: AbortSignal) {
  const { chatId } = p
  const chat = await repo.getChat(d.db, p.accountId, chatId)
  if (!chat || chat.status === 'ACTIVE' || chat.audio_status === 'ERROR') return
  const tracks = SIDES.map((side) => historyKeys.track(chatId, side))
  if (chat.audio_status === 'COMPLETE') {
    // Done before a crash cut this delivery's bookkeeping short: only the tidying is left.
    await Promise.all(tracks.map((k) => d.blobs.delete(k)))
    return
  }
  await repo.setAudio(d.db, chatId, { status: 'IN_PROGRESS', now: d.now(), from: ['QUEUED', 'IN_PROGRESS'] })
  const files = (await Promise.all(tracks.map((k) => d.blobs.localFile(k)))).filter((f) => f !== undefined)
  const key = historyKeys.audio(chatId)
  const log = d.log.child({ chatId })
  try {
    const input: ReconstructInput = {
      tracks: files.map((f) => f.path),
      durationMs: (chat.end_timestamp ?? chat.start_timestamp) - chat.start_timestamp,
      maxSeconds: d.maxSeconds,
    }
    const { size } = await d.blobs.put(key, encodedBytes(d, input, signal), { signal })
    await repo.setAudio(d.db, chatId, {
      status: 'COMPLETE',
      now: d.now(),
      blobKey: key,
      filename: audioFilename(chat.account_id, chatId),
    })
    log.info({ bytes: size, tracks: files.length }, 'chat audio reconstructed')
  } catch (err) {
    if (!(err instanceof MixError)) throw err
    log.error({ err }, 'chat audio reconstruction failed')
    await repo.setAudio(d.db, chatId, { status: 'ERROR', now: d.now() })
    return
  } finally {
    await Promise.all(files.map((f) => f.release()))
  }
  // The tracks are only inputs: once the mix is stored they are dead weight.
  await Promise.all(tracks.map((k) => d.blobs.delete(k)))
}

export function reconstructionJobs(d: ReconstructionDeps): JobRegistry<EviHistoryJobs> {
  return {
    'evi.audio_reconstruction': {
      handle: async (p, ctx) => {
        if (p.v !== 1) throw new Error(`unknown payload version ${p.v}`)
        await reconstruct(d, p, ctx.signal)
      },
      // Every attempt failed (storage kept failing): the chat's audio is ERROR, not IN_PROGRESS for ever.
      onDead: async (p) => {
        await repo.setAudio(d.db, p.chatId, { status: 'ERROR', now: d.now(), from: ['QUEUED', 'IN_PROGRESS'] })
      },
    },
  }
}
