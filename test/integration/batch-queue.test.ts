import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { openDb, type Db } from '../../src/shared/storage/db.js'
import { migrateToLatest } from '../../src/shared/storage/migrate.js'
import { SqlQueue } from '../../src/shared/queue/sql-queue.js'
import { QueueWorker } from '../../src/shared/queue/worker.js'
import { dialects, freshDatabaseUrl } from '../helpers/dialects.js'

type Jobs = { greet: { v: 1; name: string }; other: { v: 1 } }

describe.each(dialects())('SQL queue on %s', (dialect) => {
  let db: Db
  let drop: () => Promise<void>
  let clock = 1_000_000
  let q: SqlQueue<Jobs>
  beforeAll(async () => {
    const fresh = await freshDatabaseUrl(dialect)
    drop = fresh.drop
    db = openDb(fresh.url)
    await migrateToLatest(db)
    q = new SqlQueue<Jobs>(db.kysely, () => clock)
  })
  afterAll(async () => {
    await db.close()
    await drop()
  })

  it('delivers a job once, dedupes by key, and only to one claimer', async () => {
    const id = await q.enqueue('greet', { v: 1, name: 'a' }, { key: 'k1' })
    expect(await q.enqueue('greet', { v: 1, name: 'b' }, { key: 'k1' })).toBe(id)
    const first = await q.claim(['greet'], 'w1', 1000)
    expect(first).toMatchObject({ id, name: 'greet', payload: { v: 1, name: 'a' }, attempt: 1 })
    expect(await q.claim(['greet'], 'w2', 1000)).toBeUndefined()
    await q.complete(id, 'w1')
    clock += 10_000
    expect(await q.claim(['greet'], 'w2', 1000)).toBeUndefined()
  })

  it('reclaims a job whose lease expired (its worker died), not one still heartbeating', async () => {
    const id = await q.enqueue('greet', { v: 1, name: 'crash' })
    expect((await q.claim(['greet'], 'dead-worker', 1000))?.id).toBe(id)
    clock += 500
    expect(await q.heartbeat(id, 'dead-worker', 1000)).toBe(true)
    clock += 900
    expect(await q.claim(['greet'], 'w2', 1000)).toBeUndefined()
    clock += 200
    const again = await q.claim(['greet'], 'w2', 1000)
    expect(again).toMatchObject({ id, attempt: 2 })
    expect(await q.heartbeat(id, 'dead-worker', 1000)).toBe(false)
    await q.complete(id, 'w2')
  })

  it('retries failures after the delay and gives up after max attempts', async () => {
    const id = await q.enqueue('other', { v: 1 }, { maxAttempts: 2 })
    await q.claim(['other'], 'w', 1000)
    expect(await q.fail(id, 'w', 'boom', 5000)).toBe('retrying')
    expect(await q.claim(['other'], 'w', 1000)).toBeUndefined()
    clock += 5000
    expect((await q.claim(['other'], 'w', 1000))?.attempt).toBe(2)
    expect(await q.fail(id, 'w', 'boom again', 5000)).toBe('dead')
    clock += 60_000
    expect(await q.claim(['other'], 'w', 1000)).toBeUndefined()
  })

  it('a worker runs handlers and refuses to start without one', async () => {
    const real = new SqlQueue<Jobs>(db.kysely)
    const seen: string[] = []
    const log = pino({ level: 'silent' })
    // A registry entry without a handler (e.g. a job added to the map but not wired) stops the worker.
    expect(
      () => new QueueWorker(real, { greet: { handle: async () => {} }, other: {} } as never, log, { concurrency: 1 }),
    ).toThrow(/no handler for other/)
    let done!: () => void
    const finished = new Promise<void>((r) => (done = r))
    const worker = new QueueWorker(
      real,
      {
        greet: {
          handle: async (p) => {
            seen.push(p.name)
            if (seen.length === 2) done()
          },
        },
        other: { handle: async () => {} },
      },
      log,
      { concurrency: 2, pollMs: 20 },
    )
    expect(worker.names).toEqual(['greet', 'other'])
    await real.enqueue('greet', { v: 1, name: 'x' })
    await real.enqueue('greet', { v: 1, name: 'y' })
    worker.start()
    await finished
    await worker.stop()
    expect(seen.sort()).toEqual(['x', 'y'])
  })

  it('a job that fails every attempt goes to its dead-job hook once, with the last error', async () => {
    const real = new SqlQueue<Jobs>(db.kysely)
    let attempts = 0
    const dead: Array<{ name: string; error: string }> = []
    let done!: () => void
    const finished = new Promise<void>((r) => (done = r))
    const worker = new QueueWorker(
      real,
      {
        greet: {
          handle: async () => {
            attempts++
            throw new Error(`attempt ${attempts} failed`)
          },
          onDead: async (p, error) => {
            dead.push({ name: p.name, error })
            done()
          },
        },
        other: { handle: async () => {} },
      },
      pino({ level: 'silent' }),
      { concurrency: 1, pollMs: 10, backoffMs: 1 },
    )
    await real.enqueue('greet', { v: 1, name: 'doomed' }, { maxAttempts: 2 })
    worker.start()
    await finished
    await worker.stop()
    expect(attempts).toBe(2)
    expect(dead).toEqual([{ name: 'doomed', error: 'attempt 2 failed' }])
  })
})

describe.each(dialects())('queue worker leases on %s', (dialect) => {
  let db: Db
  let drop: () => Promise<void>
  beforeAll(async () => {
    const fresh = await freshDatabaseUrl(dialect)
    drop = fresh.drop
    db = openDb(fresh.url)
    await migrateToLatest(db)
  })
  afterAll(async () => {
    await db.close()
    await drop()
  })

  const until = async (cond: () => boolean | Promise<boolean>) => {
    while (!(await cond())) await new Promise((r) => setTimeout(r, 5))
  }
  const attempts = async (id: string) =>
    (await db.kysely.selectFrom('queue_jobs').select('attempts').where('id', '=', id).executeTakeFirstOrThrow())
      .attempts

  it('never runs a job twice in one worker when its lease lapses and comes back to it', async () => {
    // A queue whose heartbeats do nothing: the lease lapses while the handler runs (a slow database).
    class Forgetful extends SqlQueue<Jobs> {
      override async heartbeat(): Promise<boolean> {
        return true
      }
    }
    const queue = new Forgetful(db.kysely)
    let calls = 0
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    const worker = new QueueWorker(
      queue,
      {
        greet: {
          handle: async () => {
            calls++
            await held
          },
        },
        other: { handle: async () => {} },
      },
      pino({ level: 'silent' }),
      { concurrency: 2, pollMs: 5, leaseMs: 30 },
    )
    const id = await queue.enqueue('greet', { v: 1, name: 'slow' })
    worker.start()
    await until(async () => (await attempts(id)) >= 3) // re-claimed twice by this very worker
    release()
    await until(
      async () =>
        (await db.kysely.selectFrom('queue_jobs').select('state').where('id', '=', id).executeTakeFirstOrThrow())
          .state === 'done',
    )
    await worker.stop()
    expect(calls).toBe(1)
  })

  it("aborts a handler's signal when another worker takes its lapsed lease, and never calls the job dead", async () => {
    // Worker A's heartbeats do nothing until worker B has taken the job; then they tell the truth.
    let stolen = false
    class Slow extends SqlQueue<Jobs> {
      override async heartbeat(id: string, owner: string, leaseMs: number): Promise<boolean> {
        return stolen ? super.heartbeat(id, owner, leaseMs) : true
      }
    }
    const queue = new Slow(db.kysely)
    let aborted: unknown
    let dead = 0
    const worker = new QueueWorker(
      queue,
      {
        greet: {
          handle: async (_p, ctx) => {
            await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()))
            aborted = ctx.signal.reason
            throw ctx.signal.reason
          },
          onDead: async () => {
            dead++
          },
        },
        other: { handle: async () => {} },
      },
      pino({ level: 'silent' }),
      { concurrency: 1, pollMs: 5, leaseMs: 30 },
    )
    const id = await queue.enqueue('greet', { v: 1, name: 'taken' }, { maxAttempts: 2 })
    worker.start()
    await until(async () => (await attempts(id)) === 1)
    // B claims as soon as A's lease has lapsed.
    const b = new SqlQueue<Jobs>(db.kysely)
    await until(async () => (await b.claim(['greet'], 'worker-b', 60_000))?.id === id)
    stolen = true
    await until(() => aborted !== undefined)
    await worker.stop()
    expect(String(aborted)).toMatch(/lease was lost/)
    expect(dead).toBe(0)
    // The job is B's to finish: A's failure changed nothing.
    const row = await db.kysely.selectFrom('queue_jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ state: 'leased', lease_owner: 'worker-b' })
  })
})
