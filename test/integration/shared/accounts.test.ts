import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb, type Db } from '../../../src/shared/storage/db.js'
import { migrateToLatest } from '../../../src/shared/storage/migrate.js'
import { AccountService, sha256 } from '../../../src/shared/auth/accounts.service.js'
import { dialects, freshDatabaseUrl } from '../../helpers/dialects.js'

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

describe.each(dialects())('AccountService.ensure on %s', (dialect) => {
  it('gives API nodes starting at once on a fresh database one account for the bootstrap key', async () => {
    // SQLite: a file (several connections to one database), as separate processes would open it.
    const dir = mkdtempSync(path.join(tmpdir(), 'prosodia-accounts-'))
    const fresh =
      dialect === 'sqlite'
        ? { url: `sqlite:${path.join(dir, 'db')}`, drop: async () => {} }
        : await freshDatabaseUrl(dialect)
    const { url, drop } = fresh
    const nodes = [openDb(url), openDb(url), openDb(url)]
    try {
      await migrateToLatest(nodes[0]!)
      const ids = await Promise.all(nodes.map((n) => new AccountService(n.kysely, 1800).ensure('default', 'boot-key')))
      expect(new Set(ids).size).toBe(1)
      const keys = await nodes[0]!.kysely.selectFrom('api_keys').select('account_id').execute()
      expect(keys).toEqual([{ account_id: ids[0] }])
    } finally {
      for (const n of nodes) await n.close()
      await drop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
