import { afterEach, describe, expect, it } from 'vitest'
import { openDb, type Db } from '../../../src/shared/storage/db.js'
import { migrateToLatest } from '../../../src/shared/storage/migrate.js'
import { AccountService, sha256 } from '../../../src/shared/auth/accounts.service.js'

describe('AccountService.accountForApiKey', () => {
  let db: Db
  afterEach(() => db.close())

  async function setup() {
    db = openDb(':memory:')
    await migrateToLatest(db)
    let clock = 1_000_000
    const accounts = new AccountService(db.kysely, 1800, () => clock)
    return { accounts, advance: (ms: number) => (clock += ms) }
  }

  it('remembers a verified key for ten seconds, then asks the database again', async () => {
    const { accounts, advance } = await setup()
    const created = await accounts.create('a')
    expect(await accounts.accountForApiKey(created.api_key)).toBe(created.account_id)
    await db.kysely.deleteFrom('api_keys').where('key_hash', '=', sha256(created.api_key)).execute()
    advance(9_999)
    expect(await accounts.accountForApiKey(created.api_key)).toBe(created.account_id)
    advance(1)
    expect(await accounts.accountForApiKey(created.api_key)).toBeUndefined()
  })

  it('does not remember unknown keys', async () => {
    const { accounts } = await setup()
    expect(await accounts.accountForApiKey('later')).toBeUndefined()
    const created = await accounts.create('b', 'later')
    expect(await accounts.accountForApiKey('later')).toBe(created.account_id)
  })
})
