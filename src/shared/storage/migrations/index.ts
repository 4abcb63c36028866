import type { Migration } from 'kysely'
import * as core from './0001_core.js'
import * as evi from './0002_evi.js'
import * as tts from './0003_tts.js'
import * as expression from './0004_expression.js'
import * as eviGeneration from './0005_evi_generation.js'
import * as batchBlobs from './0006_batch_blobs.js'
import * as eviChats from './0007_evi_chats.js'
import * as serverSecrets from './0008_server_secrets.js'

/** A static list: no directory scanning, so bundling and tests see exactly these. Names sort in order. */
export const migrations: Record<string, Migration> = {
  '0001_core': core,
  '0002_evi': evi,
  '0003_tts': tts,
  '0004_expression': expression,
  '0005_evi_generation': eviGeneration,
  '0006_batch_blobs': batchBlobs,
  '0007_evi_chats': eviChats,
  '0008_server_secrets': serverSecrets,
}
