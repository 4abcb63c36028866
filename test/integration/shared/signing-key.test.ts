import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadSigningKey, SIGNING_KEY_FILE, SigningKeyError } from '../../../src/shared/auth/signing-key.js'

describe('loadSigningKey', () => {
  let dataDir: string
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'prosodia-key-'))
  })
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

  it('uses the configured key, refusing a short one', async () => {
    const configured = 'k'.repeat(40)
    expect(await loadSigningKey({ configured, dataDir })).toBe(configured)
    await expect(loadSigningKey({ configured: 'short', dataDir })).rejects.toBeInstanceOf(SigningKeyError)
  })

  it('generates a key once, private to the owner, and keeps it', async () => {
    const first = await loadSigningKey({ configured: undefined, dataDir })
    expect(first).toMatch(/^[0-9a-f]{64}$/)
    expect(statSync(path.join(dataDir, SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600)
    expect(await loadSigningKey({ configured: undefined, dataDir })).toBe(first)
  })

  it('gives processes starting together the same key', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadSigningKey({ configured: undefined, dataDir })))
    expect(new Set(keys).size).toBe(1)
  })

  it('refuses a truncated key file rather than sign with it', async () => {
    writeFileSync(path.join(dataDir, SIGNING_KEY_FILE), 'abc\n')
    await expect(loadSigningKey({ configured: undefined, dataDir })).rejects.toThrow(/delete it/)
  })
})
