/**
 * A chat's history events, written one at a time in the order they are made (most are recorded
 * without waiting, and on a pooled database concurrent writes could land in another order), at
 * most PROSODIA_EVI_MAX_EVENTS_PER_CHAT of them, nothing after the chat's end event.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { ChatHistory, NewChatEvent, StoredChatEvent } from '../history/history.types.js'

export class ChatEventLog {
  private writes: Promise<unknown> = Promise.resolve()
  private closed = false
  private count = 0

  constructor(
    private readonly history: ChatHistory,
    private readonly ids: { accountId: string; chatId: string },
    private readonly limit: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  record(event: NewChatEvent): Promise<StoredChatEvent | undefined> {
    if (this.closed) return Promise.resolve(undefined)
    if (++this.count > this.limit) {
      if (this.count === this.limit + 1)
        this.log.warn({ limit: this.limit }, 'evi chat: event limit reached; later events are not recorded')
      return Promise.resolve(undefined)
    }
    const write = this.writes.then(async () => {
      try {
        return await this.history.appendEvent(this.ids.accountId, this.ids.chatId, event)
      } catch (err) {
        // The conversation goes on without this event.
        this.log.error({ err, type: event.type }, 'evi chat: recording a history event failed')
        return undefined
      }
    })
    this.writes = write
    return write
  }

  /** Refuses later events, waits for those under way, then writes the end event (always, past the limit). */
  async close(end: NewChatEvent): Promise<void> {
    this.closed = true
    await this.writes
    await this.history.appendEvent(this.ids.accountId, this.ids.chatId, end)
  }
}
