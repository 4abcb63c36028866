// Generations and saved voices. The shared `Database` interface belongs to the storage layer;
// these two tables (migration 0003_tts) are added to it locally with Kysely's withTables().
import type { Kysely } from 'kysely'
import type { Database } from '../../shared/storage/database.js'

export type TtsGenerationsTable = {
  id: string
  account_id: string
  /** VoiceSpec as JSON. */
  spec: string
  text: string
  created_at: number
}

export type TtsVoicesTable = {
  id: string
  account_id: string
  name: string
  generation_id: string | null
  spec: string
  created_at: number
}

// A type alias, not an interface: withTables() needs an index-compatible record type.
export type TtsTables = {
  tts_generations: TtsGenerationsTable
  tts_voices: TtsVoicesTable
}

export type TtsDb = Kysely<Database & TtsTables>

export function ttsDb(db: Kysely<Database>): TtsDb {
  return db.withTables<TtsTables>()
}

export async function insertGenerations(db: TtsDb, rows: TtsGenerationsTable[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('tts_generations').values(rows).execute()
}

export async function getGeneration(
  db: TtsDb,
  accountId: string,
  id: string,
): Promise<TtsGenerationsTable | undefined> {
  return db
    .selectFrom('tts_generations')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function insertVoice(db: TtsDb, row: TtsVoicesTable): Promise<void> {
  await db.insertInto('tts_voices').values(row).execute()
}

export async function findVoice(
  db: TtsDb,
  accountId: string,
  by: { id?: string; name?: string },
): Promise<TtsVoicesTable | undefined> {
  let q = db.selectFrom('tts_voices').selectAll().where('account_id', '=', accountId)
  q = by.id !== undefined ? q.where('id', '=', by.id) : q.where('name', '=', by.name ?? '')
  return q.executeTakeFirst()
}

export async function listVoices(
  db: TtsDb,
  accountId: string,
  page: { limit: number; offset: number; ascending: boolean },
): Promise<{ rows: TtsVoicesTable[]; total: number }> {
  const base = db.selectFrom('tts_voices').where('account_id', '=', accountId)
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('created_at', page.ascending ? 'asc' : 'desc')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

export async function deleteVoiceByName(db: TtsDb, accountId: string, name: string): Promise<number> {
  const r = await db
    .deleteFrom('tts_voices')
    .where('account_id', '=', accountId)
    .where('name', '=', name)
    .executeTakeFirst()
  return Number(r.numDeletedRows)
}
