import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LEGACY_SIGNING_KEY_FILE, loadSigningKey, SigningKeyError } from '../../../src/shared/auth/signing-key.js'
import { openDb, type Db } from '../../../src/shared/storage/db.js'
import { migrateToLatest } from '../../../src/shared/storage/migrate.js'
import { dialects, freshDatabaseUrl } from '../../helpers/dialects.js'

describe.each(dialects())('loadSigningKey (%s)', (dialect) => {
  let dataDir: string
  let db: Db
  let drop: () => Promise<void>
  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'prosodia-key-'))
    const fresh = await freshDatabaseUrl(dialect)
    drop = fresh.drop
    db = openDb(fresh.url)
    await migrateToLatest(db)
  })
  afterEach(async () => {
    await db.close()
    await drop()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const load = (configured?: string, dir = dataDir) => loadSigningKey({ configured, dataDir: dir, db: db.kysely })

  it('uses the configured key, refusing a short one', async () => {
    const configured = 'k'.repeat(40)
    expect(await load(configured)).toBe(configured)
    await expect(load('short')).rejects.toBeInstanceOf(SigningKeyError)
  })

  it('generates a key once, in the database, and keeps it whatever the data dir', async () => {
    const first = await load()
    expect(first).toMatch(/^[0-9a-f]{64}$/)
    // Another machine's process: another data dir, the same database, the same key; no file written.
    const otherDir = mkdtempSync(path.join(tmpdir(), 'prosodia-key-'))
    try {
      expect(await load(undefined, otherDir)).toBe(first)
    } finally {
      rmSync(otherDir, { recursive: true, force: true })
    }
    expect(await import('node:fs').then((fs) => fs.readdirSync(dataDir))).toEqual([])
  })

  it('gives processes starting together the same key', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => load()))
    expect(new Set(keys).size).toBe(1)
  })

  it('adopts the key an older version kept in the data dir, so its signatures stay valid', async () => {
    const legacy = 'a1'.repeat(32)
    writeFileSync(path.join(dataDir, LEGACY_SIGNING_KEY_FILE), `${legacy}\n`)
    expect(await load()).toBe(legacy)
    rmSync(path.join(dataDir, LEGACY_SIGNING_KEY_FILE))
    expect(await load()).toBe(legacy)
  })

  it('refuses a truncated legacy key file rather than sign with it', async () => {
    writeFileSync(path.join(dataDir, LEGACY_SIGNING_KEY_FILE), 'abc\n')
    await expect(load()).rejects.toThrow(/delete it/)
  })
})
