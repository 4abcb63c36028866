/**
 * The history as the chat socket writes it (the ChatHistory contract): chats, their groups and
 * events as they happen, the chat's recording, and at the end the reconstruction job, queued in
 * the same transaction that ends the chat so neither exists without the other.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Queue } from '../../../shared/queue/queue.js'
import type { Database, EviChatEventRow, EviChatsTable } from '../../../shared/storage/database.js'
import { monotonicNow } from '../../../shared/storage/clock.js'
import type { BlobStore } from '../../../shared/storage/blobs.js'
import * as repo from './history.repo.js'
import { toReturnChatEvent } from './history.mappers.js'
import {
  ChatGroupNotFoundError,
  ChatNotFoundError,
  type ChatHistory,
  type NewChatEvent,
  type StoredChatEvent,
} from './history.types.js'
import type { EviHistoryJobs } from './reconstruction.jobs.js'
import { createRecorder } from './recorder.js'

/**
 * Longest message_text stored. Upstream bounds what users send (PROSODIA_EVI_MAX_INPUT_TEXT_CHARS);
 * this bounds the rest (a runaway language model) so one event cannot outgrow a page.
 */
export const MAX_EVENT_TEXT_CHARS = 200_000

export interface ChatHistoryDeps {
  db: Kysely<Database>
  queue: Pick<Queue<EviHistoryJobs>, 'enqueue' | 'notify'>
  blobs: BlobStore
  /** Scratch dir for recordings in progress. */
  tmpDir: string
  /** The longest recording and reconstruction (PROSODIA_MEDIA_MAX_SECONDS). */
  maxRecordingSeconds: number
  log: Logger
  now?: () => number
}

/** PostgreSQL text cannot hold U+0000; a model or a user could still send one. */
const storable = (text: string) => text.replaceAll('\u0000', '\uFFFD').slice(0, MAX_EVENT_TEXT_CHARS)

export function createChatHistory(d: ChatHistoryDeps): ChatHistory {
  const now = d.now ?? Date.now
  const { db } = d

  const eventRow = (chatId: string, seq: number, e: NewChatEvent): EviChatEventRow => ({
    id: randomUUID(),
    chat_id: chatId,
    seq,
    timestamp: e.timestamp ?? now(),
    role: e.role,
    type: e.type,
    message_text: e.messageText === undefined ? null : storable(e.messageText),
    emotion_features: e.emotionFeatures === undefined ? null : JSON.stringify(e.emotionFeatures),
    metadata: e.metadata === undefined ? null : JSON.stringify(e.metadata),
    related_event_id: e.relatedEventId ?? null,
  })

  return {
    async startChat(o) {
      const start = o.startTimestamp ?? monotonicNow()
      return db.transaction().execute(async (trx) => {
        let groupId = o.resumeChatGroupId
        if (groupId !== undefined) {
          if (!(await repo.getGroup(trx, o.accountId, groupId))) throw new ChatGroupNotFoundError(groupId)
        } else {
          groupId = randomUUID()
          await repo.insertGroup(trx, {
            id: groupId,
            account_id: o.accountId,
            first_start_timestamp: start,
            most_recent_start_timestamp: start,
            most_recent_chat_id: null,
            most_recent_config_id: null,
            most_recent_config_version: null,
            num_chats: 0,
          })
        }
        const chat: EviChatsTable = {
          id: randomUUID(),
          account_id: o.accountId,
          chat_group_id: groupId,
          status: 'ACTIVE',
          start_timestamp: start,
          end_timestamp: null,
          config_id: o.config?.id ?? null,
          config_version: o.config?.version ?? null,
          metadata: o.metadata === undefined ? null : JSON.stringify(o.metadata),
          event_count: 0,
          audio_status: null,
          audio_blob_key: null,
          audio_filename: null,
          audio_modified_at: null,
        }
        await repo.insertChat(trx, chat)
        await repo.addChatToGroup(trx, chat)
        return { chatId: chat.id, chatGroupId: groupId }
      })
    },

    async appendEvent(accountId, chatId, event): Promise<StoredChatEvent> {
      const row = await db.transaction().execute(async (trx) => {
        const seq = await repo.nextEventSeq(trx, accountId, chatId)
        if (seq === undefined) throw new ChatNotFoundError(chatId)
        const r = eventRow(chatId, seq, event)
        await repo.insertEvent(trx, r)
        return r
      })
      return toReturnChatEvent(row)
    },

    async endChat(accountId, chatId, status, endTimestamp) {
      const ended = await db.transaction().execute(async (trx) => {
        const chat = await repo.getChat(trx, accountId, chatId)
        if (!chat) throw new ChatNotFoundError(chatId)
        // Ending twice (a timeout racing a hang-up) keeps the first status and queues one job.
        const t = now()
        if (!(await repo.endChat(trx, { accountId, chatId, status, end: endTimestamp ?? t, now: t }))) return false
        await d.queue.enqueue(
          'evi.audio_reconstruction',
          { v: 1, accountId, chatId },
          { key: `evi.audio_reconstruction:${chatId}`, tx: trx },
        )
        return true
      })
      if (ended) d.queue.notify()
    },

    async groupEvents(accountId, chatGroupId, limit) {
      if (!(await repo.getGroup(db, accountId, chatGroupId))) throw new ChatGroupNotFoundError(chatGroupId)
      if (limit <= 0) return []
      const newest = await repo.listGroupEvents(db, chatGroupId, { limit, offset: 0, ascending: false })
      return newest.reverse().map(toReturnChatEvent)
    },

    async groupActive(accountId, chatGroupId) {
      if (!(await repo.getGroup(db, accountId, chatGroupId))) throw new ChatGroupNotFoundError(chatGroupId)
      return repo.groupActive(db, chatGroupId)
    },

    async endStaleChats(startedBefore) {
      const stale = await this.activeChats(startedBefore)
      for (const c of stale) await this.endChat(c.accountId, c.chatId, 'ERROR')
      return stale.length
    },

    async activeChats(startedBefore) {
      const rows = await db
        .selectFrom('evi_chats')
        .select(['id', 'account_id', 'chat_group_id'])
        .where('status', '=', 'ACTIVE')
        .where('start_timestamp', '<', startedBefore)
        .execute()
      return rows.map((r) => ({ chatId: r.id, accountId: r.account_id, chatGroupId: r.chat_group_id }))
    },

    recorder(_accountId, chatId) {
      return createRecorder({ blobs: d.blobs, tmpDir: d.tmpDir, maxSeconds: d.maxRecordingSeconds, log: d.log }, chatId)
    },
  }
}
