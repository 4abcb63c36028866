/** The SQL queue's depth for /metrics: one grouped read of `queue_jobs` per scrape. */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../storage/database.js'
import type { QueueDepthRow, QueueDepthSource } from './metrics-registry.js'

/**
 * Jobs by name and state, with `ready` split into runnable now and `delayed` (waiting out a retry
 * backoff or a requested delay). Finished jobs (`done`) are left out: the table keeps them, so
 * counting them would grow without bound and scan history on every scrape; the (state, run_at)
 * index serves this filter.
 */
export function sqlQueueDepth(db: Kysely<Database>, now: () => number = Date.now): QueueDepthSource {
  return async () => {
    const t = now()
    const rows = await db
      .selectFrom('queue_jobs')
      .select([
        'name',
        'state',
        (eb) => eb.fn.countAll().as('n'),
        sql<number | string>`sum(case when state = 'ready' and run_at > ${t} then 1 else 0 end)`.as('delayed'),
      ])
      .where('state', 'in', ['ready', 'leased', 'dead'])
      .groupBy(['name', 'state'])
      .execute()
    const out: QueueDepthRow[] = []
    for (const r of rows) {
      // Postgres returns count(*) and sum() as strings (bigint/numeric).
      const n = Number(r.n)
      const delayed = Number(r.delayed ?? 0)
      if (r.state === 'ready') {
        out.push({ name: r.name, state: 'ready', count: n - delayed })
        out.push({ name: r.name, state: 'delayed', count: delayed })
      } else out.push({ name: r.name, state: r.state, count: n })
    }
    return out
  }
}
