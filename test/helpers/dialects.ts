import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Dialect } from '../../src/shared/storage/db.js'

/** `DIALECTS=sqlite,postgres` runs the database-backed suites on both; SQLite alone by default. */
export function dialects(): Dialect[] {
  const wanted = (process.env.DIALECTS ?? 'sqlite').split(',').map((d) => d.trim())
  return wanted.filter((d): d is Dialect => d === 'sqlite' || d === 'postgres')
}

const adminUrl = () => process.env.PROSODIA_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres'

/**
 * A database of its own for one test file: a fresh SQLite in memory, or a new Postgres database
 * dropped afterwards. Fails (never skips) when Postgres was asked for and cannot be reached.
 */
export async function freshDatabaseUrl(dialect: Dialect): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') return { url: 'sqlite::memory:', drop: async () => {} }
  const name = `prosodia_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl() })
  try {
    await admin.connect()
  } catch (err) {
    throw new Error(
      `DIALECTS includes postgres but ${adminUrl()} is unreachable: install and start PostgreSQL ` +
        '(see .ci/run) or set PROSODIA_TEST_PG_URL',
      { cause: err },
    )
  }
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(adminUrl())
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl() })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}
