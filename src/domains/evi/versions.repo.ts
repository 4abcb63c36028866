import type { Kysely } from 'kysely'
import type { Database, EviKind, EviVersionRow, NewEviVersionRow } from '../../shared/storage/database.js'

type Q = Kysely<Database>

export interface Scope {
  accountId: string
  kind: EviKind
}

export interface ListFilter {
  id?: string
  name?: string
  restrictToMostRecent: boolean
  limit: number
  offset: number
}

function scoped(db: Q, scope: Scope, f: Pick<ListFilter, 'id' | 'name' | 'restrictToMostRecent'>) {
  let q = db
    .selectFrom('evi_versions as v')
    .where('v.account_id', '=', scope.accountId)
    .where('v.kind', '=', scope.kind)
  if (f.id !== undefined) q = q.where('v.id', '=', f.id)
  if (f.name !== undefined) q = q.where('v.name', '=', f.name)
  if (f.restrictToMostRecent) {
    q = q.where('v.version', '=', (eb) =>
      eb
        .selectFrom('evi_versions as w')
        .select((w) => w.fn.max('w.version').as('m'))
        .whereRef('w.id', '=', 'v.id'),
    )
  }
  return q
}

/** One page of rows, newest first, and how many rows match in all. */
export async function list(db: Q, scope: Scope, f: ListFilter): Promise<{ rows: EviVersionRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    scoped(db, scope, f)
      .selectAll('v')
      .orderBy('v.created_on', 'desc')
      .orderBy('v.version', 'desc')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    scoped(db, scope, f)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

/** Rows of one kind that belong to one account: every read starts here, so none can cross accounts. */
function rowsOf(db: Q, scope: Scope) {
  return db
    .selectFrom('evi_versions')
    .selectAll()
    .where('account_id', '=', scope.accountId)
    .where('kind', '=', scope.kind)
}

export async function getVersion(db: Q, scope: Scope, id: string, version: number) {
  return rowsOf(db, scope).where('id', '=', id).where('version', '=', version).executeTakeFirst()
}

export async function getLatest(db: Q, scope: Scope, id: string) {
  return rowsOf(db, scope).where('id', '=', id).orderBy('version', 'desc').limit(1).executeTakeFirst()
}

export async function insert(db: Q, row: NewEviVersionRow): Promise<void> {
  await db.insertInto('evi_versions').values(row).execute()
  await bumpGeneration(db, row.account_id)
}

/**
 * Every write below ends by bumping the account's EVI generation, after the change itself, so a reader
 * that sees the new generation also sees the change (see the list-page cache in versions.routes.ts).
 * One counter for all EVI kinds, because a config page embeds the prompts and tools it references.
 */
async function bumpGeneration(db: Q, accountId: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set((eb) => ({ evi_generation: eb('evi_generation', '+', 1) }))
    .where('id', '=', accountId)
    .execute()
}

export async function generation(db: Q, accountId: string): Promise<number> {
  const row = await db.selectFrom('accounts').select('evi_generation').where('id', '=', accountId).executeTakeFirst()
  return Number(row?.evi_generation ?? 0)
}

async function changed(db: Q, scope: Scope, rows: number): Promise<number> {
  if (rows > 0) await bumpGeneration(db, scope.accountId)
  return rows
}

export async function rename(db: Q, scope: Scope, id: string, name: string, now: number): Promise<number> {
  const r = await db
    .updateTable('evi_versions')
    .set({ name, modified_on: now })
    .where('account_id', '=', scope.accountId)
    .where('kind', '=', scope.kind)
    .where('id', '=', id)
    .executeTakeFirst()
  return changed(db, scope, Number(r.numUpdatedRows))
}

export async function updateDescription(
  db: Q,
  scope: Scope,
  id: string,
  version: number,
  description: string | null,
  now: number,
): Promise<number> {
  const r = await db
    .updateTable('evi_versions')
    .set({ version_description: description, modified_on: now })
    .where('account_id', '=', scope.accountId)
    .where('kind', '=', scope.kind)
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  return changed(db, scope, Number(r.numUpdatedRows))
}

export async function remove(db: Q, scope: Scope, id: string, version?: number): Promise<number> {
  let q = db
    .deleteFrom('evi_versions')
    .where('account_id', '=', scope.accountId)
    .where('kind', '=', scope.kind)
    .where('id', '=', id)
  if (version !== undefined) q = q.where('version', '=', version)
  const r = await q.executeTakeFirst()
  return changed(db, scope, Number(r.numDeletedRows))
}

/** Every version of the given resources of these kinds, for expanding many references in one query. */
/** A reference to a version, or (version null) to whatever version is newest. */
export interface VersionRef {
  id: string
  version: number | null
}

/** Terms per statement: well under SQLite's variable limit, and a plan that stays on the primary key. */
const CHUNK = 200

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}

/**
 * Exactly the rows some references name: each pinned (id, version), and the newest version of each
 * unpinned id; never a resource's other versions, however many it has. The result maps
 * `kind:id:version` and `kind:id:latest` to rows of this account and these kinds.
 */
export async function listReferenced(
  db: Q,
  accountId: string,
  kinds: readonly EviKind[],
  refs: readonly VersionRef[],
): Promise<Map<string, EviVersionRow>> {
  const pinned = [...new Map(refs.filter((r) => r.version !== null).map((r) => [`${r.id}:${r.version}`, r])).values()]
  const latest = [...new Set(refs.filter((r) => r.version === null).map((r) => r.id))]
  const rows: EviVersionRow[] = []
  // Filtering on the primary key alone lets the database walk it; with the account and kind in the
  // WHERE, SQLite prefers the (account_id, kind, ...) index and reads every resource of that kind the
  // account has. Ids are unique across accounts, so the scope is checked on the rows instead.
  for (const part of chunks(pinned)) {
    rows.push(
      ...(await db
        .selectFrom('evi_versions')
        .selectAll()
        .where((eb) => eb.or(part.map((r) => eb.and([eb('id', '=', r.id), eb('version', '=', r.version as number)]))))
        .execute()),
    )
  }
  const newest = new Map<string, EviVersionRow>()
  for (const part of chunks(latest)) {
    const found = await db
      .selectFrom('evi_versions as v')
      .selectAll()
      .where('v.id', 'in', part)
      .where((eb) =>
        eb(
          'v.version',
          '=',
          eb
            .selectFrom('evi_versions as w')
            .select((w) => w.fn.max('w.version').as('m'))
            .whereRef('w.id', '=', 'v.id'),
        ),
      )
      .execute()
    for (const r of found) newest.set(r.id, r)
  }
  const mine = (r: EviVersionRow) => r.account_id === accountId && kinds.includes(r.kind)
  const out = new Map<string, EviVersionRow>()
  for (const r of rows) if (mine(r)) out.set(`${r.kind}:${r.id}:${r.version}`, r)
  for (const r of newest.values()) if (mine(r)) out.set(`${r.kind}:${r.id}:latest`, r)
  return out
}

/** The newest version of each resource of this kind with exactly this name. */
export async function findLatestByName(db: Q, scope: Scope, name: string): Promise<EviVersionRow | undefined> {
  return rowsOf(db, scope).where('name', '=', name).orderBy('created_on', 'desc').limit(1).executeTakeFirst()
}
