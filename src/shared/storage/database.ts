import type { Generated, Insertable, Selectable } from 'kysely'

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

export interface Database {
  accounts: AccountsTable
  api_keys: ApiKeysTable
  access_tokens: AccessTokensTable
  evi_versions: EviVersionsTable
}

export type EviVersionRow = Selectable<EviVersionsTable>
export type NewEviVersionRow = Insertable<EviVersionsTable>
