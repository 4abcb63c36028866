/**
 * Reading the chat history as `/v0/evi/chats` and `/v0/evi/chat_groups` serve it. Every read starts
 * from a chat or group of the calling account; anyone else's id is not found.
 */
import type { Kysely } from 'kysely'
import { errors } from '../../../shared/http/errors.js'
import { pageOffset } from '../../../shared/http/pagination.js'
import type { Database, EviChatEventRow, EviChatRow } from '../../../shared/storage/database.js'
import type { AudioLinks } from './audio-url.js'
import * as repo from './history.repo.js'
import { audioComplete, toReturnAudio, toReturnChat, toReturnChatEvent, toReturnChatGroup } from './history.mappers.js'
import type { ChatGroupQuery, ChatGroupsQuery, ChatsQuery, HistoryPageQuery } from './history.schemas.js'

const paging = (q: HistoryPageQuery): repo.Paging => ({
  limit: q.page_size,
  offset: pageOffset(q),
  ascending: q.ascending_order,
})

const pageFields = (q: HistoryPageQuery, total: number) => ({
  page_number: q.page_number,
  page_size: q.page_size,
  total_pages: Math.ceil(total / q.page_size),
  pagination_direction: q.ascending_order ? ('ASC' as const) : ('DESC' as const),
})

/** Bytes an event's text columns add to a page (UTF-16 units, near enough). */
const eventBytes = (e: EviChatEventRow) =>
  200 + (e.message_text?.length ?? 0) + (e.emotion_features?.length ?? 0) + (e.metadata?.length ?? 0)

export class HistoryService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly links: AudioLinks,
    private readonly limits: { pageBytes: number },
  ) {}

  private async chat(accountId: string, id: string): Promise<EviChatRow> {
    const chat = await repo.getChat(this.db, accountId, id)
    if (!chat) throw errors.notFound('Chat', id)
    return chat
  }

  private async group(accountId: string, id: string) {
    const group = await repo.getGroup(this.db, accountId, id)
    if (!group) throw errors.notFound('Chat group', id)
    return group
  }

  /**
   * Events carry model output and scores, so a page of 100 can be large: sized from the rows it
   * read, a page over the limit asks for a smaller one (a page of one is always served).
   */
  private events(rows: EviChatEventRow[]) {
    const bytes = rows.reduce((n, e) => n + eventBytes(e), 0)
    if (rows.length > 1 && bytes > this.limits.pageBytes) {
      throw errors.badRequest(
        `This page of chat events would be about ${bytes} bytes; the limit is ${this.limits.pageBytes} (PROSODIA_MAX_PAGE_BYTES). Ask for a smaller page_size.`,
      )
    }
    return rows.map(toReturnChatEvent)
  }

  async listChats(accountId: string, q: ChatsQuery) {
    const { rows, total } = await repo.listChats(
      this.db,
      accountId,
      { configId: q.config_id, status: q.status },
      paging(q),
    )
    return { ...pageFields(q, total), chats_page: rows.map(toReturnChat) }
  }

  async chatEvents(accountId: string, chatId: string, q: HistoryPageQuery) {
    const chat = await this.chat(accountId, chatId)
    const rows = await repo.listChatEvents(this.db, chatId, paging(q))
    return { ...toReturnChat(chat), ...pageFields(q, chat.event_count), events_page: this.events(rows) }
  }

  async chatAudio(accountId: string, chatId: string, origin: string) {
    return this.audio(await this.chat(accountId, chatId), origin)
  }

  private async audio(row: EviChatRow, origin: string) {
    const link = audioComplete(row)
      ? await this.links.link({ id: row.id, blobKey: row.audio_blob_key, filename: row.audio_filename ?? '' }, origin)
      : undefined
    return toReturnAudio(row, link)
  }

  async listGroups(accountId: string, q: ChatGroupsQuery) {
    const { rows, total } = await repo.listGroups(this.db, accountId, q.config_id, paging(q))
    return { ...pageFields(q, total), chat_groups_page: rows.map(toReturnChatGroup) }
  }

  async getGroup(accountId: string, groupId: string, q: ChatGroupQuery) {
    const group = await this.group(accountId, groupId)
    const [chats, active] = await Promise.all([
      repo.listChats(this.db, accountId, { groupId, status: q.status }, paging(q)),
      repo.groupActive(this.db, groupId),
    ])
    return {
      id: group.id,
      first_start_timestamp: group.first_start_timestamp,
      most_recent_start_timestamp: group.most_recent_start_timestamp,
      num_chats: group.num_chats,
      active,
      ...pageFields(q, chats.total),
      chats_page: chats.rows.map(toReturnChat),
    }
  }

  async groupEvents(accountId: string, groupId: string, q: HistoryPageQuery) {
    const group = await this.group(accountId, groupId)
    const [rows, total] = await Promise.all([
      repo.listGroupEvents(this.db, groupId, paging(q)),
      repo.countGroupEvents(this.db, groupId),
    ])
    return { id: group.id, ...pageFields(q, total), events_page: this.events(rows) }
  }

  async groupAudio(accountId: string, groupId: string, q: HistoryPageQuery, origin: string) {
    const group = await this.group(accountId, groupId)
    const chats = await repo.listChats(this.db, accountId, { groupId }, paging(q))
    return {
      id: group.id,
      user_id: accountId,
      num_chats: group.num_chats,
      ...pageFields(q, chats.total),
      audio_reconstructions_page: await Promise.all(chats.rows.map((c) => this.audio(c, origin))),
    }
  }

  /** The stored file a signed URL names (the signature is the authority, so no account here). */
  async audioBlob(chatId: string): Promise<string | undefined> {
    const chat = await repo.getChatById(this.db, chatId)
    return chat?.audio_status === 'COMPLETE' ? (chat.audio_blob_key ?? undefined) : undefined
  }
}
