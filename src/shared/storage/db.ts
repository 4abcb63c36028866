import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely'
import pg from 'pg'
import type { Database } from './database.js'

export type Dialect = 'sqlite' | 'postgres'

export interface Db {
  readonly kysely: Kysely<Database>
  readonly dialect: Dialect
  close(): Promise<void>
}

const PG_INT8 = 20
/** Distinct SQL texts kept prepared; `IN (?, ?, ...)` lists of each length are one text each. */
const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely's SQLite driver prepares every query afresh; preparing costs as much as running one of our
 * indexed reads. This keeps the statements it asks for, by SQL text, least recently used out first.
 * A statement still being iterated (a streamed query) is busy, so a second user gets a fresh one.
 */
export function cachingStatements(sqlite: SQLite.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>()
  return {
    prepare(sql) {
      const hit = cache.get(sql)
      if (hit) {
        if (hit.busy) return sqlite.prepare(sql)
        cache.delete(sql)
        cache.set(sql, hit)
        return hit
      }
      const stmt = sqlite.prepare(sql)
      cache.set(sql, stmt)
      if (cache.size > size) cache.delete(cache.keys().next().value as string)
      return stmt
    },
    close() {
      cache.clear()
      sqlite.close()
    },
  }
}

/**
 * Opens the database: PostgreSQL for a postgres:// URL, otherwise SQLite (a file, or `:memory:`).
 * Everything dialect-specific lives here; repositories write portable SQL.
 */
export function openDb(url: string): Db {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      // BIGINT columns hold epoch milliseconds, well inside Number's exact range.
      types: {
        getTypeParser: (oid: number, format?: 'text' | 'binary') =>
          oid === PG_INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
      },
    })
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return { kysely, dialect: 'postgres', close: () => kysely.destroy() }
  }
  const file = url.replace(/^sqlite:/, '')
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true })
  const sqlite = new SQLite(file)
  // WAL lets readers proceed while a writer commits; NORMAL sync is durable across process crashes.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) })
  return { kysely, dialect: 'sqlite', close: () => kysely.destroy() }
}

export function databaseUrlFor(config: { databaseUrl: string | undefined; dataDir: string }): string {
  return config.databaseUrl ?? `sqlite:${path.join(config.dataDir, 'prosodia.db')}`
}
