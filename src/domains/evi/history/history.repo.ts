/**
 * Every query of the chat history. Reads of chats and groups are scoped by account; events are
 * reached through their chat, so a caller that has checked the chat cannot cross accounts.
 */
import { sql } from 'kysely'
import type {
  EviAudioStatus,
  EviChatEventRow,
  EviChatEventsTable,
  EviChatGroupRow,
  EviChatGroupsTable,
  EviChatRow,
  EviChatStatus,
  EviChatsTable,
  Executor,
} from '../../../shared/storage/database.js'

export interface Paging {
  limit: number
  offset: number
  ascending: boolean
}

const dir = (p: Paging) => (p.ascending ? 'asc' : 'desc')
const count = (r: { n: number | string | bigint } | undefined) => Number(r?.n ?? 0)

export async function insertGroup(db: Executor, row: EviChatGroupsTable): Promise<void> {
  await db.insertInto('evi_chat_groups').values(row).execute()
}

export async function getGroup(db: Executor, accountId: string, id: string): Promise<EviChatGroupRow | undefined> {
  return db
    .selectFrom('evi_chat_groups')
    .selectAll()
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst()
}

/** Records a new chat in its (resumed) group. */
export async function addChatToGroup(db: Executor, chat: EviChatsTable): Promise<void> {
  await db
    .updateTable('evi_chat_groups')
    .set({
      num_chats: sql<number>`num_chats + 1`,
      most_recent_chat_id: chat.id,
      most_recent_start_timestamp: chat.start_timestamp,
      most_recent_config_id: chat.config_id,
      most_recent_config_version: chat.config_version,
    })
    .where('id', '=', chat.chat_group_id)
    .execute()
}

export async function insertChat(db: Executor, row: EviChatsTable): Promise<void> {
  await db.insertInto('evi_chats').values(row).execute()
}

export async function getChat(db: Executor, accountId: string, id: string): Promise<EviChatRow | undefined> {
  return db
    .selectFrom('evi_chats')
    .selectAll()
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst()
}

/** Takes the chat's next event number; undefined when the account has no such chat. */
export async function nextEventSeq(db: Executor, accountId: string, chatId: string): Promise<number | undefined> {
  const row = await db
    .updateTable('evi_chats')
    .set({ event_count: sql<number>`event_count + 1` })
    .where('id', '=', chatId)
    .where('account_id', '=', accountId)
    .returning('event_count')
    .executeTakeFirst()
  return row?.event_count
}

export async function insertEvent(db: Executor, row: EviChatEventsTable): Promise<void> {
  await db.insertInto('evi_chat_events').values(row).execute()
}

/** Ends an ACTIVE chat; false when it is not the account's or has ended already. */
export async function endChat(
  db: Executor,
  o: { accountId: string; chatId: string; status: EviChatStatus; end: number; now: number },
): Promise<boolean> {
  const r = await db
    .updateTable('evi_chats')
    .set({ status: o.status, end_timestamp: o.end, audio_status: 'QUEUED', audio_modified_at: o.now })
    .where('id', '=', o.chatId)
    .where('account_id', '=', o.accountId)
    .where('status', '=', 'ACTIVE')
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

export interface ChatFilter {
  groupId?: string
  configId?: string
  status?: EviChatStatus
}

function chatsOf(db: Executor, accountId: string, f: ChatFilter) {
  let q = db.selectFrom('evi_chats').where('account_id', '=', accountId)
  if (f.groupId !== undefined) q = q.where('chat_group_id', '=', f.groupId)
  if (f.configId !== undefined) q = q.where('config_id', '=', f.configId)
  if (f.status !== undefined) q = q.where('status', '=', f.status)
  return q
}

export async function listChats(
  db: Executor,
  accountId: string,
  f: ChatFilter,
  p: Paging,
): Promise<{ rows: EviChatRow[]; total: number }> {
  const [rows, total] = await Promise.all([
    chatsOf(db, accountId, f)
      .selectAll()
      .orderBy('start_timestamp', dir(p))
      .orderBy('id', dir(p))
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    chatsOf(db, accountId, f)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst(),
  ])
  return { rows, total: count(total) }
}

export async function listChatEvents(db: Executor, chatId: string, p: Paging): Promise<EviChatEventRow[]> {
  return db
    .selectFrom('evi_chat_events')
    .selectAll()
    .where('chat_id', '=', chatId)
    .orderBy('seq', dir(p))
    .limit(p.limit)
    .offset(p.offset)
    .execute()
}

/**
 * A group's events across its chats: chat by chat in the order they started (chats of a group never
 * overlap), each chat's in sequence.
 */
export async function listGroupEvents(db: Executor, groupId: string, p: Paging): Promise<EviChatEventRow[]> {
  return db
    .selectFrom('evi_chat_events as e')
    .innerJoin('evi_chats as c', 'c.id', 'e.chat_id')
    .selectAll('e')
    .where('c.chat_group_id', '=', groupId)
    .orderBy('c.start_timestamp', dir(p))
    .orderBy('c.id', dir(p))
    .orderBy('e.seq', dir(p))
    .limit(p.limit)
    .offset(p.offset)
    .execute()
}

export async function countGroupEvents(db: Executor, groupId: string): Promise<number> {
  const r = await db
    .selectFrom('evi_chats')
    .select((eb) => eb.fn.sum<number | string | null>('event_count').as('n'))
    .where('chat_group_id', '=', groupId)
    .executeTakeFirst()
  return Number(r?.n ?? 0)
}

export type GroupWithActive = EviChatGroupRow & { active: boolean }

function groupsOf(db: Executor, accountId: string, configId: string | undefined) {
  let q = db.selectFrom('evi_chat_groups as g').where('g.account_id', '=', accountId)
  if (configId !== undefined) q = q.where('g.most_recent_config_id', '=', configId)
  return q
}

export async function listGroups(
  db: Executor,
  accountId: string,
  configId: string | undefined,
  p: Paging,
): Promise<{ rows: GroupWithActive[]; total: number }> {
  const [rows, total] = await Promise.all([
    groupsOf(db, accountId, configId)
      .selectAll('g')
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('evi_chats as c')
              .select('c.id')
              .whereRef('c.chat_group_id', '=', 'g.id')
              .where('c.status', '=', 'ACTIVE'),
          )
          .as('active'),
      )
      .orderBy('g.first_start_timestamp', dir(p))
      .orderBy('g.id', dir(p))
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    groupsOf(db, accountId, configId)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst(),
  ])
  // SQLite answers EXISTS with 0/1, PostgreSQL with a boolean.
  return { rows: rows.map((r) => ({ ...r, active: Boolean(r.active) })), total: count(total) }
}

export async function groupActive(db: Executor, groupId: string): Promise<boolean> {
  const row = await db
    .selectFrom('evi_chats')
    .select('id')
    .where('chat_group_id', '=', groupId)
    .where('status', '=', 'ACTIVE')
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/** The chat as the reconstruction job and the download route see it (their ids come signed or queued). */
export async function getChatById(db: Executor, id: string): Promise<EviChatRow | undefined> {
  return db.selectFrom('evi_chats').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function setAudio(
  db: Executor,
  chatId: string,
  o: { status: EviAudioStatus; now: number; blobKey?: string; filename?: string; from?: EviAudioStatus[] },
): Promise<boolean> {
  let q = db
    .updateTable('evi_chats')
    .set({
      audio_status: o.status,
      audio_modified_at: o.now,
      ...(o.blobKey !== undefined ? { audio_blob_key: o.blobKey } : {}),
      ...(o.filename !== undefined ? { audio_filename: o.filename } : {}),
    })
    .where('id', '=', chatId)
  if (o.from) q = q.where('audio_status', 'in', o.from)
  const r = await q.executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}
