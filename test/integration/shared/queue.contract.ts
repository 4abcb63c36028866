/**
 * The queue contract every Queue implementation passes (queues.test.ts runs it on the SQL queue and
 * on BullMQ). Real time, short leases: the point is how each behaves against its real store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Kysely } from 'kysely'
import { pino } from 'pino'
import type { ClaimedJob, JobRegistry, Queue } from '../../../src/shared/queue/queue.js'
import { QueueWorker } from '../../../src/shared/queue/worker.js'
import type { Database } from '../../../src/shared/storage/database.js'

export type Jobs = {
  'test.a': { v: number; n: number; tags?: string[] }
  'test.b': { v: number; n: number }
}

export interface QueueHarness {
  /** A queue with nothing in it (each test starts clean). */
  fresh(): Promise<Queue<Jobs>>
  /** The application database, for enqueues under a transaction. */
  db: Kysely<Database>
  /** May a claim run while a transaction of `db` is open? (SQLite has one connection: not for the SQL queue.) */
  claimDuringTx: boolean
  close(): Promise<void>
}

const LEASE = 300
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Claims until something comes (or the deadline passes): expiry and delays run on real clocks. */
async function claimWithin(
  q: Queue<Jobs>,
  owner: string,
  ms: number,
  names: (keyof Jobs)[] = ['test.a', 'test.b'],
): Promise<ClaimedJob<Jobs> | undefined> {
  const until = Date.now() + ms
  for (;;) {
    const job = await q.claim(names, owner, LEASE)
    if (job || Date.now() > until) return job
    await sleep(20)
  }
}

const silent = pino({ level: 'silent' })

export function queueContract(label: string, setup: () => Promise<QueueHarness>): void {
  describe(`queue contract: ${label}`, () => {
    let h: QueueHarness
    beforeAll(async () => {
      h = await setup()
    })
    afterAll(async () => {
      await h?.close()
    })

    it('delivers an enqueued job with its payload and version, once, until completed', async () => {
      const q = await h.fresh()
      const payload = { v: 3, n: 1, tags: ['x', 'ü'] }
      const id = await q.enqueue('test.a', payload)
      const job = await q.claim(['test.a'], 'w1', LEASE)
      expect(job).toEqual({ id, name: 'test.a', payload, attempt: 1, maxAttempts: 5 })
      expect(await q.claim(['test.a', 'test.b'], 'w2', LEASE)).toBeUndefined()
      await q.complete(id, 'w1')
      await sleep(LEASE + 200)
      expect(await q.claim(['test.a', 'test.b'], 'w2', LEASE)).toBeUndefined()
    })

    it('claims only the names asked for, and every name of the list', async () => {
      const q = await h.fresh()
      await q.enqueue('test.b', { v: 1, n: 2 })
      expect(await q.claim(['test.a'], 'w', LEASE)).toBeUndefined()
      expect((await q.claim(['test.a', 'test.b'], 'w', LEASE))?.name).toBe('test.b')
    })

    it('never hands one job to two claimers', async () => {
      const q = await h.fresh()
      const ids = await Promise.all(Array.from({ length: 24 }, (_, n) => q.enqueue('test.a', { v: 1, n })))
      const got: string[] = []
      await Promise.all(
        ['w1', 'w2', 'w3', 'w4'].map(async (owner) => {
          for (let job = await q.claim(['test.a'], owner, 5000); job; job = await q.claim(['test.a'], owner, 5000))
            got.push(job.id)
        }),
      )
      expect(got.sort()).toEqual([...ids].sort())
    })

    it('dedupes by key: a second enqueue returns the first job, which runs once with its payload', async () => {
      const q = await h.fresh()
      const key = 'inference:a/b:c%'
      const id = await q.enqueue('test.a', { v: 1, n: 1 }, { key })
      expect(await q.enqueue('test.a', { v: 1, n: 2 }, { key })).toBe(id)
      // A key that differs only where an encoding could collide is another job.
      expect(await q.enqueue('test.a', { v: 1, n: 3 }, { key: 'inference:a/b%3Ac%' })).not.toBe(id)
      const first = await q.claim(['test.a'], 'w', LEASE)
      expect(first).toMatchObject({ id, payload: { n: 1 } })
      await q.complete(id, 'w')
      expect(await q.enqueue('test.a', { v: 1, n: 4 }, { key })).toBe(id)
      expect((await q.claim(['test.a'], 'w', LEASE))?.payload.n).toBe(3)
      expect(await q.claim(['test.a'], 'w', LEASE)).toBeUndefined()
    })

    it('holds a delayed job back until its time', async () => {
      const q = await h.fresh()
      const t0 = Date.now()
      const id = await q.enqueue('test.a', { v: 1, n: 1 }, { delayMs: 400 })
      expect(await q.claim(['test.a'], 'w', LEASE)).toBeUndefined()
      const job = await claimWithin(q, 'w', 3000)
      expect(job?.id).toBe(id)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(390)
    })

    it('retries a failed job after its delay as attempt 2, and kills it after maxAttempts', async () => {
      const q = await h.fresh()
      const id = await q.enqueue('test.b', { v: 1, n: 1 }, { maxAttempts: 2 })
      const first = await q.claim(['test.b'], 'w', LEASE)
      expect(first).toMatchObject({ id, attempt: 1, maxAttempts: 2 })
      expect(await q.fail(id, 'w', 'boom', 300)).toBe('retrying')
      expect(await q.claim(['test.b'], 'w', LEASE)).toBeUndefined()
      const second = await claimWithin(q, 'w', 3000)
      expect(second).toMatchObject({ id, attempt: 2 })
      expect(await q.fail(id, 'w', 'boom again', 0)).toBe('dead')
      await sleep(200)
      expect(await q.claim(['test.b'], 'w', LEASE)).toBeUndefined()
    })

    it('keeps a heartbeating job; once its lease lapses another owner gets it and the first one has lost it', async () => {
      const q = await h.fresh()
      const id = await q.enqueue('test.a', { v: 1, n: 1 })
      expect((await q.claim(['test.a'], 'first', LEASE))?.attempt).toBe(1)
      for (let i = 0; i < 6; i++) {
        await sleep(LEASE / 3)
        expect(await q.heartbeat(id, 'first', LEASE)).toBe(true)
        expect(await q.claim(['test.a'], 'second', LEASE)).toBeUndefined()
      }
      // The first owner "crashes": no more heartbeats.
      const taken = await claimWithin(q, 'second', 5000, ['test.a'])
      expect(taken).toMatchObject({ id, attempt: 2 })
      expect(await q.heartbeat(id, 'first', LEASE)).toBe(false)
      expect(await q.fail(id, 'first', 'late', 0)).toBe('lost')
      await q.complete(id, 'first')
      // The first owner's complete changed nothing: the job is still the second's.
      expect(await q.heartbeat(id, 'second', LEASE)).toBe(true)
      await q.complete(id, 'second')
      expect(await q.heartbeat(id, 'second', LEASE)).toBe(false)
      await sleep(LEASE + 300)
      expect(await q.claim(['test.a'], 'third', LEASE)).toBeUndefined()
    })

    it('release hands a job back at once without counting the attempt', async () => {
      const q = await h.fresh()
      const id = await q.enqueue('test.a', { v: 1, n: 1 }, { maxAttempts: 1 })
      expect((await q.claim(['test.a'], 'w1', LEASE))?.attempt).toBe(1)
      await q.release(id, 'someone-else')
      expect(await q.claim(['test.a'], 'w2', LEASE)).toBeUndefined()
      await q.release(id, 'w1')
      const again = await q.claim(['test.a'], 'w2', LEASE)
      expect(again).toMatchObject({ id, attempt: 1 })
      // Its only attempt is still there to fail.
      expect(await q.fail(id, 'w2', 'x', 0)).toBe('dead')
    })

    it('a job enqueued in a transaction runs after the commit, and never after a rollback', async () => {
      const q = await h.fresh()
      let committed = ''
      await h.db.transaction().execute(async (trx) => {
        committed = await q.enqueue('test.a', { v: 1, n: 1 }, { tx: trx })
        if (h.claimDuringTx) expect(await q.claim(['test.a'], 'w', LEASE)).toBeUndefined()
      })
      q.notify()
      expect((await claimWithin(q, 'w', 2000))?.id).toBe(committed)
      await q.complete(committed, 'w')
      await expect(
        h.db.transaction().execute(async (trx) => {
          await q.enqueue('test.a', { v: 1, n: 2 }, { tx: trx, key: 'rolled-back' })
          throw new Error('rollback')
        }),
      ).rejects.toThrow('rollback')
      q.notify()
      await sleep(300)
      expect(await q.claim(['test.a'], 'w', LEASE)).toBeUndefined()
    })

    it('notify() wakes listeners until they unsubscribe', async () => {
      const q = await h.fresh()
      let woken = 0
      const off = q.onNotify(() => woken++)
      q.notify()
      await sleep(20)
      expect(woken).toBe(1)
      off()
      q.notify()
      await sleep(20)
      expect(woken).toBe(1)
    })

    it('drives a QueueWorker end to end: notify wakes it, failures retry, exhausted jobs go to onDead', async () => {
      const q = await h.fresh()
      const runs: Array<{ n: number; attempt: number; v: number }> = []
      const dead: string[] = []
      let finish!: () => void
      const finished = new Promise<void>((r) => (finish = r))
      const check = () => {
        if (runs.filter((r) => r.n === 1).length === 2 && dead.length === 1) finish()
      }
      const registry: JobRegistry<Jobs> = {
        'test.a': {
          handle: async (p, ctx) => {
            runs.push({ n: p.n, attempt: ctx.job.attempt, v: p.v })
            if (ctx.job.attempt === 1) throw new Error('first attempt fails')
            check()
          },
        },
        'test.b': {
          handle: async () => {
            throw new Error('always')
          },
          onDead: async (_p, error) => {
            dead.push(error)
            check()
          },
        },
      }
      // A poll far beyond the test's length: only notify() can start the jobs in time.
      const worker = new QueueWorker(q, registry, silent, {
        concurrency: 2,
        pollMs: 60_000,
        leaseMs: 2000,
        backoffMs: 20,
      })
      worker.start()
      try {
        await sleep(50)
        await q.enqueue('test.a', { v: 2, n: 1 })
        await q.enqueue('test.b', { v: 1, n: 2 }, { maxAttempts: 1 })
        q.notify()
        const until = Date.now() + 1500
        while (runs.length === 0 && Date.now() < until) await sleep(10)
        expect(runs.length).toBeGreaterThan(0)
        // Retries are delayed jobs and the worker's own poll is a minute: from here on, nudge it.
        const nudger = setInterval(() => worker.nudge(), 50)
        await Promise.race([finished, sleep(10_000)])
        clearInterval(nudger)
      } finally {
        await worker.stop()
      }
      expect(runs.filter((r) => r.n === 1)).toEqual([
        { n: 1, attempt: 1, v: 2 },
        { n: 1, attempt: 2, v: 2 },
      ])
      expect(dead).toEqual(['always'])
    })
  })
}
