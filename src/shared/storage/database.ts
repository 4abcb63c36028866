import type { Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely'

/**
 * Every table of the application database, in one place: repositories take `Kysely<Database>`
 * (or a transaction of it) and never cast. Domain tables are declared here, not in the domains,
 * because the storage layer owns the schema (migrations) and `shared/` must not import `domains/`.
 */

/** Epoch milliseconds. Stored as BIGINT; the Postgres driver is told to parse it back to a number. */
type EpochMs = number

export interface AccountsTable {
  id: string
  name: string
  created_at: EpochMs
  /** Bumped by every write to the account's EVI resources; keys the list-page cache. */
  evi_generation: Generated<number>
}

export interface ApiKeysTable {
  id: string
  account_id: string
  /** sha256 of the API key: keys are 256-bit random, so a fast hash is enough and lets us index it. */
  key_hash: string
  secret_hash: string
  created_at: EpochMs
}

export interface AccessTokensTable {
  token_hash: string
  account_id: string
  expires_at: EpochMs
}

export type EviKind = 'prompt' | 'tool' | 'config' | 'custom_voice'

/**
 * Every version of every versioned EVI resource (prompts, tools, configs, custom voices).
 * They share identity, naming, versioning and paging rules; what differs lives in `payload` (JSON),
 * which each domain maps with its own `toReturnX(row)`.
 */
export interface EviVersionsTable {
  account_id: string
  kind: EviKind
  id: string
  version: number
  name: string
  version_description: string | null
  payload: string
  created_on: EpochMs
  modified_on: EpochMs
}

/** A TTS generation: its voice spec and text, reusable as `context` or savable as a voice. */
export interface TtsGenerationsTable {
  id: string
  account_id: string
  /** VoiceSpec as JSON. */
  spec: string
  text: string
  created_at: EpochMs
}

/** A voice saved from a generation (`POST /v0/tts/voices`). */
export interface TtsVoicesTable {
  id: string
  account_id: string
  name: string
  generation_id: string | null
  spec: string
  created_at: EpochMs
}

export type QueueJobState = 'ready' | 'leased' | 'done' | 'dead'

/** The SQL queue (src/shared/queue/sql-queue.ts). */
export interface QueueJobsTable {
  id: string
  name: string
  key: string | null
  payload: string
  state: QueueJobState
  attempts: number
  max_attempts: number
  run_at: EpochMs
  lease_owner: string | null
  lease_until: EpochMs | null
  last_error: string | null
  created_at: EpochMs
  updated_at: EpochMs
}

export type BatchStatus = 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'

export interface BatchJobsTable {
  id: string
  account_id: string
  status: BatchStatus
  /** JSON of the echoed InferenceRequest. */
  request: string
  created_ms: EpochMs
  started_ms: EpochMs | null
  ended_ms: EpochMs | null
  num_predictions: number | null
  num_errors: number | null
  message: string | null
  /**
   * Predictions JSON of jobs completed before results moved to the blob store (migration 0006);
   * moved out at start-up by the expression domain, null afterwards.
   */
  predictions: string | null
}

/** Files uploaded with a job before migration 0006 (base64 in the database); moved to blobs at start-up. */
export interface BatchUploadsTable {
  job_id: string
  idx: number
  filename: string
  content_type: string | null
  md5sum: string
  /** base64 */
  data: string
}

/** A file uploaded with a job: its metadata here, its bytes in the blob store under `blob_key`. */
export interface BatchFilesTable {
  job_id: string
  idx: number
  filename: string
  content_type: string | null
  md5sum: string
  size: number
  blob_key: string
}

/** An EVI chat group: chats that continue one conversation (`resumed_chat_group_id`). */
export interface EviChatGroupsTable {
  id: string
  account_id: string
  first_start_timestamp: EpochMs
  most_recent_start_timestamp: EpochMs
  most_recent_chat_id: string | null
  most_recent_config_id: string | null
  most_recent_config_version: number | null
  num_chats: number
}

export type EviChatStatus =
  'ACTIVE' | 'USER_ENDED' | 'USER_TIMEOUT' | 'MAX_DURATION_TIMEOUT' | 'INACTIVITY_TIMEOUT' | 'ERROR'

export type EviAudioStatus = 'QUEUED' | 'IN_PROGRESS' | 'COMPLETE' | 'ERROR'

/** One EVI chat (a socket session) and the state of its audio reconstruction. */
export interface EviChatsTable {
  id: string
  account_id: string
  chat_group_id: string
  status: EviChatStatus
  start_timestamp: EpochMs
  end_timestamp: EpochMs | null
  config_id: string | null
  config_version: number | null
  /** JSON text, served as it is. */
  metadata: string | null
  /** Events so far; also the last `seq` handed out. */
  event_count: number
  /** Null while the chat runs. */
  audio_status: EviAudioStatus | null
  audio_blob_key: string | null
  audio_filename: string | null
  audio_modified_at: EpochMs | null
}

/** One event of a chat, in order (`seq` from 1). Text columns hold what the API serves. */
export interface EviChatEventsTable {
  id: string
  chat_id: string
  seq: number
  timestamp: EpochMs
  role: string
  type: string
  message_text: string | null
  /** JSON text. */
  emotion_features: string | null
  /** JSON text. */
  metadata: string | null
  related_event_id: string | null
}

/** The server's own generated secrets (the signing key), shared by every process of a deployment. */
export interface ServerSecretsTable {
  name: string
  value: string
  created_at: EpochMs
}

export interface Database {
  accounts: AccountsTable
  api_keys: ApiKeysTable
  access_tokens: AccessTokensTable
  evi_versions: EviVersionsTable
  tts_generations: TtsGenerationsTable
  tts_voices: TtsVoicesTable
  queue_jobs: QueueJobsTable
  batch_jobs: BatchJobsTable
  batch_uploads: BatchUploadsTable
  batch_files: BatchFilesTable
  evi_chat_groups: EviChatGroupsTable
  evi_chats: EviChatsTable
  evi_chat_events: EviChatEventsTable
  server_secrets: ServerSecretsTable
}

/** The database or a transaction on it: repository functions take either. */
export type Executor = Kysely<Database> | Transaction<Database>

export type EviVersionRow = Selectable<EviVersionsTable>
export type NewEviVersionRow = Insertable<EviVersionsTable>
export type TtsGenerationRow = Selectable<TtsGenerationsTable>
export type TtsVoiceRow = Selectable<TtsVoicesTable>
export type QueueJobRow = Selectable<QueueJobsTable>
export type BatchJobRow = Selectable<BatchJobsTable>
export type BatchFileRow = Selectable<BatchFilesTable>
export type EviChatGroupRow = Selectable<EviChatGroupsTable>
export type EviChatRow = Selectable<EviChatsTable>
export type EviChatEventRow = Selectable<EviChatEventsTable>
