import SQLite from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { cachingStatements } from './db.js'

describe('cachingStatements', () => {
  const open = (size?: number) => {
    const sqlite = new SQLite(':memory:')
    sqlite.exec('create table t (n integer); insert into t values (1), (2), (3)')
    return { sqlite, db: cachingStatements(sqlite, size) }
  }

  it('hands back the same prepared statement for the same SQL', () => {
    const { db } = open()
    const a = db.prepare('select n from t order by n')
    expect(db.prepare('select n from t order by n')).toBe(a)
    expect(a.all([])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    db.close()
  })

  it('prepares a fresh statement while the cached one is still being iterated', () => {
    const { db } = open()
    const sql = 'select n from t where n > ? order by n'
    const iterating = db.prepare(sql).iterate([0])
    expect(iterating.next().value).toEqual({ n: 1 })
    const other = db.prepare(sql)
    expect(other.all([1])).toEqual([{ n: 2 }, { n: 3 }])
    expect([...iterating]).toEqual([{ n: 2 }, { n: 3 }])
    db.close()
  })

  it('keeps at most `size` statements, dropping the least recently used', () => {
    const { db } = open(2)
    const one = db.prepare('select 1')
    const two = db.prepare('select 2')
    expect(db.prepare('select 1')).toBe(one)
    db.prepare('select 3')
    expect(db.prepare('select 1')).toBe(one)
    expect(db.prepare('select 2')).not.toBe(two)
    db.close()
  })
})
