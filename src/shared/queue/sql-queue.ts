/**
 * The default queue: a table in the application database (SQLite or
 * PostgreSQL). Claiming is one conditional UPDATE ... RETURNING, so two
 * workers can never both win a job; a lease that is not renewed expires and
 * the job becomes claimable again, which is how work survives a killed process.
 */
import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../storage/database.js'
import type { ClaimedJob, EnqueueOptions, JobMap, Queue } from './queue.js'

export class SqlQueue<M extends JobMap> implements Queue<M> {
  private readonly listeners = new Set<() => void>()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  notify(): void {
    for (const l of this.listeners) l()
  }

  onNotify(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async enqueue<K extends keyof M & string>(name: K, payload: M[K], opts: EnqueueOptions = {}): Promise<string> {
    const id = randomUUID()
    const now = this.now()
    const db = opts.tx ?? this.db
    const inserted = await db
      .insertInto('queue_jobs')
      .values({
        id,
        name,
        key: opts.key ?? null,
        payload: JSON.stringify(payload),
        state: 'ready',
        attempts: 0,
        max_attempts: opts.maxAttempts ?? 5,
        run_at: now + (opts.delayMs ?? 0),
        lease_owner: null,
        lease_until: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('id')
      .executeTakeFirst()
    if (inserted) return inserted.id
    const existing = await db
      .selectFrom('queue_jobs')
      .select('id')
      .where('key', '=', opts.key!)
      .executeTakeFirstOrThrow()
    return existing.id
  }

  async claim(
    names: readonly (keyof M & string)[],
    owner: string,
    leaseMs: number,
  ): Promise<ClaimedJob<M> | undefined> {
    if (names.length === 0) return undefined
    const now = this.now()
    for (let tries = 0; tries < 5; tries++) {
      const candidate = await this.db
        .selectFrom('queue_jobs')
        .select('id')
        .where('name', 'in', names as string[])
        .where((eb) =>
          eb.or([
            eb.and([eb('state', '=', 'ready'), eb('run_at', '<=', now)]),
            eb.and([eb('state', '=', 'leased'), eb('lease_until', '<', now)]),
          ]),
        )
        .orderBy('run_at')
        .limit(1)
        .executeTakeFirst()
      if (!candidate) return undefined
      // The same condition again: if another worker took it meanwhile, zero rows match.
      const row = await this.db
        .updateTable('queue_jobs')
        .set({
          state: 'leased',
          lease_owner: owner,
          lease_until: now + leaseMs,
          attempts: sql<number>`attempts + 1`,
          updated_at: now,
        })
        .where('id', '=', candidate.id)
        .where((eb) =>
          eb.or([
            eb.and([eb('state', '=', 'ready'), eb('run_at', '<=', now)]),
            eb.and([eb('state', '=', 'leased'), eb('lease_until', '<', now)]),
          ]),
        )
        .returningAll()
        .executeTakeFirst()
      if (row) {
        return {
          id: row.id,
          name: row.name as keyof M,
          payload: JSON.parse(row.payload) as M[keyof M],
          attempt: row.attempts,
          maxAttempts: row.max_attempts,
        }
      }
    }
    return undefined
  }

  async heartbeat(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.now()
    const r = await this.db
      .updateTable('queue_jobs')
      .set({ lease_until: now + leaseMs, updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'leased')
      .executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }

  async complete(id: string, owner: string): Promise<void> {
    await this.db
      .updateTable('queue_jobs')
      .set({ state: 'done', lease_owner: null, lease_until: null, updated_at: this.now() })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute()
  }

  async release(id: string, owner: string): Promise<void> {
    const now = this.now()
    await this.db
      .updateTable('queue_jobs')
      .set({
        state: 'ready',
        run_at: now,
        attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end`,
        lease_owner: null,
        lease_until: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'leased')
      .execute()
  }

  async fail(id: string, owner: string, error: string, retryInMs: number): Promise<'retrying' | 'dead' | 'lost'> {
    const row = await this.db
      .selectFrom('queue_jobs')
      .select(['attempts', 'max_attempts'])
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'leased')
      .executeTakeFirst()
    if (!row) return 'lost'
    const dead = row.attempts >= row.max_attempts
    const now = this.now()
    const r = await this.db
      .updateTable('queue_jobs')
      .set({
        state: dead ? 'dead' : 'ready',
        run_at: now + retryInMs,
        lease_owner: null,
        lease_until: null,
        last_error: error.slice(0, 2000),
        updated_at: now,
      })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'leased')
      .executeTakeFirst()
    if (Number(r.numUpdatedRows) === 0) return 'lost'
    return dead ? 'dead' : 'retrying'
  }
}
