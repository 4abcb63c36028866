/**
 * The server's signing secret (signed audio URLs, webhook signatures): PROSODIA_SIGNING_KEY, or a
 * random key generated once and kept in the database. API processes and queue workers must sign
 * alike, and in a scaled-out deployment they run on machines with data directories of their own,
 * so a generated key lives in the one database they share, never only in memory or on one disk.
 * A key an older version kept in `<dataDir>/signing.key` is adopted, so signatures stay valid.
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Kysely } from 'kysely'
import type { Database } from '../storage/database.js'

/** Where versions before the database key kept a generated key; read once to adopt it. */
export const LEGACY_SIGNING_KEY_FILE = 'signing.key'
const SECRET_NAME = 'signing_key'
/** A shorter key (a truncated or hand-edited value) would make every signature guessable. */
const MIN_KEY_CHARS = 32

export class SigningKeyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'SigningKeyError'
  }
}

async function legacyKey(dataDir: string): Promise<string | undefined> {
  const file = path.join(dataDir, LEGACY_SIGNING_KEY_FILE)
  try {
    const key = (await readFile(file, 'utf8')).trim()
    if (key.length < MIN_KEY_CHARS)
      throw new SigningKeyError(`the signing key in ${file} is shorter than ${MIN_KEY_CHARS} characters; delete it`)
    return key
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    if (err instanceof SigningKeyError) throw err
    throw new SigningKeyError(`cannot read the signing key ${file}: ${(err as Error).message}`, { cause: err })
  }
}

async function storedKey(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', SECRET_NAME).executeTakeFirst()
  return row?.value
}

/**
 * The configured key, else the database's, created on first use. Processes starting at once agree:
 * each offers a key and the first insert wins (the others' conflict is ignored), then all read it.
 */
export async function loadSigningKey(o: {
  configured: string | undefined
  dataDir: string
  db: Kysely<Database>
}): Promise<string> {
  if (o.configured) {
    if (o.configured.length < MIN_KEY_CHARS)
      throw new SigningKeyError(`PROSODIA_SIGNING_KEY must be at least ${MIN_KEY_CHARS} characters`)
    return o.configured
  }
  let key = await storedKey(o.db)
  if (key === undefined) {
    const offered = (await legacyKey(o.dataDir)) ?? randomBytes(32).toString('hex')
    await o.db
      .insertInto('server_secrets')
      .values({ name: SECRET_NAME, value: offered, created_at: Date.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute()
    key = await storedKey(o.db)
  }
  if (!key || key.length < MIN_KEY_CHARS)
    throw new SigningKeyError(`the stored signing key is shorter than ${MIN_KEY_CHARS} characters`)
  return key
}
