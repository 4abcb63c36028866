/**
 * The chats running in this process, by account and id: the control plane (`POST
 * /v0/evi/chat/{chat_id}/send`, the `/connect` socket) reaches a live chat through here, and the
 * chat socket takes one of the account's chat slots here. This class is one server's; with REDIS_URL
 * cluster-chats.ts shares both with the other API nodes.
 */
import type { Release } from '../../../shared/cluster/slots.js'

export interface LiveChat {
  readonly accountId: string
  readonly chatId: string
  readonly chatGroupId: string
  /** The chat was opened with `allow_connection=true`: only then may /connect attach to it. */
  readonly allowConnection: boolean
  /**
   * Handles a message as if the chat's own client had sent it. Rejects with ControlMessageError when
   * the message is not one the chat accepts (the caller answers 4xx).
   */
  send(message: unknown): Promise<void>
  /** Every server message the chat sends its client, as JSON objects; `onEnd` when the chat ends. */
  subscribe(listener: (message: Record<string, unknown>) => void, onEnd: () => void): () => void
  /** The chat runs on another node; this is its stand-in (cluster-chats.ts). */
  readonly remote?: boolean
}

export class ControlMessageError extends Error {
  constructor(
    message: string,
    /** The `error` message's code and slug on /connect (default E0101 invalid_message). */
    readonly spec?: { code: string; slug: string },
  ) {
    super(message)
    this.name = 'ControlMessageError'
  }
}

export class LiveChats {
  protected readonly chats = new Map<string, LiveChat>()
  /** Chat groups whose chat has ended here but is still writing its end (recording, end event, status). */
  private readonly closing = new Map<string, Promise<void>>()

  add(chat: LiveChat): void {
    this.chats.set(chat.chatId, chat)
  }

  remove(chatId: string): void {
    this.chats.delete(chatId)
  }

  /** The account's live chat with this id in this process; another account's chat is not found. */
  get(accountId: string, chatId: string): LiveChat | undefined {
    const chat = this.chats.get(chatId)
    return chat && chat.accountId === accountId ? chat : undefined
  }

  /** The account's live chat with this id wherever it runs (here: this process only). */
  async find(accountId: string, chatId: string): Promise<LiveChat | undefined> {
    return this.get(accountId, chatId)
  }

  /**
   * One of the account's `max` chat slots, given back by the returned function when the chat ends;
   * undefined when the account has `max` chats running. Here: the chats running in this process.
   */
  async reserve(accountId: string, max: number): Promise<Release | undefined> {
    return this.countFor(accountId) >= max ? undefined : () => {}
  }

  /** Stops whatever the registry runs in the background (nothing here). */
  async close(): Promise<void> {}

  /** A chat of this group has ended and settles `done` once its history says so. */
  closingGroup(chatGroupId: string, done: Promise<void>): void {
    this.closing.set(chatGroupId, done)
    void done.finally(() => {
      if (this.closing.get(chatGroupId) === done) this.closing.delete(chatGroupId)
    })
  }

  /**
   * Settles once the group's chat that ended in this process has finished closing (at once if none):
   * a client that resumes the group right after closing its chat is not refused as "still active".
   */
  groupClosed(chatGroupId: string): Promise<void> {
    return this.closing.get(chatGroupId) ?? Promise.resolve()
  }

  /**
   * Settles once every chat that has ended here has written its end (recording, end event, status):
   * a shutting-down process waits for this before it closes the database.
   */
  async settled(): Promise<void> {
    while (this.closing.size > 0) await Promise.all(this.closing.values())
  }

  countFor(accountId: string): number {
    let n = 0
    for (const c of this.chats.values()) if (c.accountId === accountId) n++
    return n
  }
}
