import type { Kysely } from 'kysely'
import type { Database } from '../storage/database.js'

type Q = Kysely<Database>

export async function insertAccount(db: Q, row: { id: string; name: string; created_at: number }): Promise<void> {
  await db.insertInto('accounts').values(row).execute()
}

export async function insertApiKey(
  db: Q,
  row: { id: string; account_id: string; key_hash: string; secret_hash: string; created_at: number },
): Promise<void> {
  await db.insertInto('api_keys').values(row).execute()
}

export async function findApiKeyByHash(db: Q, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .select(['account_id', 'secret_hash'])
    .where('key_hash', '=', keyHash)
    .executeTakeFirst()
}

export async function insertAccessToken(
  db: Q,
  row: { token_hash: string; account_id: string; expires_at: number },
): Promise<void> {
  await db.insertInto('access_tokens').values(row).execute()
}

export async function findLiveToken(db: Q, tokenHash: string, now: number) {
  return db
    .selectFrom('access_tokens')
    .select('account_id')
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .executeTakeFirst()
}

export async function deleteExpiredTokens(db: Q, now: number): Promise<void> {
  await db.deleteFrom('access_tokens').where('expires_at', '<=', now).execute()
}
