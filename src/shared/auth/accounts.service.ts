import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../storage/database.js'
import * as repo from './accounts.repo.js'

export interface NewAccount {
  account_id: string
  api_key: string
  secret_key: string
}

export interface AccessToken {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
}

/** Keys and tokens are 256-bit random values; sha256 is enough to store them without exposing them. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

function randomSecret(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * How long a verified API key is remembered. Nothing in the API revokes a key, so this only bounds
 * how long a key deleted from the database by hand keeps working.
 */
const API_KEY_CACHE_MS = 10_000
const API_KEY_CACHE_MAX = 10_000

export class AccountService {
  /** sha256(api key) -> account, for keys found in the last API_KEY_CACHE_MS; unknown keys are not kept. */
  private readonly keyCache = new Map<string, { accountId: string; until: number }>()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly tokenTtlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async create(name: string, apiKey: string = randomSecret()): Promise<NewAccount> {
    const accountId = randomUUID()
    const secretKey = randomSecret()
    const createdAt = this.now()
    await this.db.transaction().execute(async (trx) => {
      await repo.insertAccount(trx, { id: accountId, name, created_at: createdAt })
      await repo.insertApiKey(trx, {
        id: randomUUID(),
        account_id: accountId,
        key_hash: sha256(apiKey),
        secret_hash: sha256(secretKey),
        created_at: createdAt,
      })
    })
    return { account_id: accountId, api_key: apiKey, secret_key: secretKey }
  }

  /** Makes sure `apiKey` authenticates some account (dev and CI bootstrap); returns that account's id. */
  async ensure(name: string, apiKey: string): Promise<string> {
    const existing = await repo.findApiKeyByHash(this.db, sha256(apiKey))
    if (existing) return existing.account_id
    try {
      return (await this.create(name, apiKey)).account_id
    } catch (err) {
      // Several API nodes starting at once on a fresh database: one insert wins (the key hash is
      // unique) and the others use its account.
      const winner = await repo.findApiKeyByHash(this.db, sha256(apiKey))
      if (winner) return winner.account_id
      throw err
    }
  }

  /** Every authenticated request asks this, so a verified key is remembered briefly (see API_KEY_CACHE_MS). */
  async accountForApiKey(apiKey: string): Promise<string | undefined> {
    const hash = sha256(apiKey)
    const now = this.now()
    const hit = this.keyCache.get(hash)
    if (hit && hit.until > now) return hit.accountId
    const accountId = (await repo.findApiKeyByHash(this.db, hash))?.account_id
    this.keyCache.delete(hash)
    if (accountId) {
      if (this.keyCache.size >= API_KEY_CACHE_MAX) this.keyCache.delete(this.keyCache.keys().next().value as string)
      this.keyCache.set(hash, { accountId, until: now + API_KEY_CACHE_MS })
    }
    return accountId
  }

  async accountForToken(token: string): Promise<string | undefined> {
    return (await repo.findLiveToken(this.db, sha256(token), this.now()))?.account_id
  }

  /** OAuth2 client-credentials grant: the API key is the client id, the secret key the client secret. */
  async issueToken(apiKey: string, secretKey: string): Promise<AccessToken | undefined> {
    const key = await repo.findApiKeyByHash(this.db, sha256(apiKey))
    if (!key) return undefined
    const given = Buffer.from(sha256(secretKey), 'hex')
    if (!timingSafeEqual(given, Buffer.from(key.secret_hash, 'hex'))) return undefined
    const token = randomSecret()
    const now = this.now()
    await repo.deleteExpiredTokens(this.db, now)
    await repo.insertAccessToken(this.db, {
      token_hash: sha256(token),
      account_id: key.account_id,
      expires_at: now + this.tokenTtlSeconds * 1000,
    })
    return { access_token: token, token_type: 'Bearer', expires_in: this.tokenTtlSeconds }
  }
}
