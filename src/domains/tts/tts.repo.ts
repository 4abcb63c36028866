// Generations and saved voices (tables tts_generations and tts_voices, migration 0003_tts).
import type { Kysely } from 'kysely'
import type { Database, TtsGenerationRow, TtsVoiceRow } from '../../shared/storage/database.js'

type Db = Kysely<Database>

export async function insertGenerations(db: Db, rows: TtsGenerationRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('tts_generations').values(rows).execute()
}

export async function getGeneration(db: Db, accountId: string, id: string): Promise<TtsGenerationRow | undefined> {
  return db
    .selectFrom('tts_generations')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function insertVoice(db: Db, row: TtsVoiceRow): Promise<void> {
  await db.insertInto('tts_voices').values(row).execute()
}

export async function findVoice(
  db: Db,
  accountId: string,
  by: { id?: string; name?: string },
): Promise<TtsVoiceRow | undefined> {
  let q = db.selectFrom('tts_voices').selectAll().where('account_id', '=', accountId)
  q = by.id !== undefined ? q.where('id', '=', by.id) : q.where('name', '=', by.name ?? '')
  return q.executeTakeFirst()
}

export async function listVoices(
  db: Db,
  accountId: string,
  page: { limit: number; offset: number; ascending: boolean },
): Promise<{ rows: TtsVoiceRow[]; total: number }> {
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

export async function deleteVoiceByName(db: Db, accountId: string, name: string): Promise<number> {
  const r = await db
    .deleteFrom('tts_voices')
    .where('account_id', '=', accountId)
    .where('name', '=', name)
    .executeTakeFirst()
  return Number(r.numDeletedRows)
}
