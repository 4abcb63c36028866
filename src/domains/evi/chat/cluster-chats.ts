/**
 * The live chats of every API node (REDIS_URL): a chat stays on the node whose socket it runs on,
 * and the control plane reaches it from any node.
 *
 * - Registry: `${prefix}:evi:live:${chatId}` -> { node, accountId, chatGroupId, allowConnection },
 *   written when the chat starts, refreshed while it runs, deleted when it ends; it expires (after
 *   `entryTtlMs`) when its node dies without deleting it.
 * - `send` from another node is a request to the owner on the cluster bus ('evi.send'), answered with
 *   the chat's own verdict; a chat that has gone answers 404 as on one node.
 * - `/connect` on another node follows `${prefix}:evi:chat:${chatId}`: the owner publishes the chat's
 *   server messages there (for chats opened with allow_connection=true), but only after a follower has
 *   asked ('evi.watch') and only while someone receives them, so a chat nobody follows costs nothing.
 * - Chat slots per account are the cluster's (redis-slots.ts), so PROSODIA_EVI_MAX_CHATS_PER_ACCOUNT
 *   holds across nodes.
 * - `${prefix}:evi:closing:${chatGroupId}` stands while a chat of the group that ended on this node
 *   writes its end, so a client resuming the group on another node waits for it instead of being
 *   refused as "still active"; it expires like a registry entry if the node dies meanwhile.
 * - `unregistered` tells the orphan sweep (orphan-chats.ts) which ACTIVE chats no node runs.
 */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { NoAnswerError, type ClusterBus } from '../../../shared/cluster/bus.js'
import { withDeadline } from '../../../shared/deadline.js'
import type { AccountSlots, Release } from '../../../shared/cluster/slots.js'
import { errors } from '../../../shared/http/errors.js'
import { ControlMessageError, LiveChats, type LiveChat } from './live-chats.js'

export interface ClusterChatsOptions {
  bus: ClusterBus
  /** The node's shared connection (registry reads and writes). */
  redis: Redis
  /** The account's chat slots, cluster-wide (max: PROSODIA_EVI_MAX_CHATS_PER_ACCOUNT). */
  slots: AccountSlots
  log: Logger
  /** How long a registry entry outlives its node's last refresh, ms (default 30 s). */
  entryTtlMs?: number
  /** How long a node waits for a chat's owner to answer, ms (default 10 s). */
  requestTimeoutMs?: number
  /** How often a node following a remote chat checks that the chat is still registered, ms (default 5 s). */
  livenessMs?: number
  /** Longest wait for a Redis command, ms (default 5 s). */
  commandTimeoutMs?: number
  /** Longest wait, when a chat group is resumed, for its last chat on another node to finish closing, ms (default 10 s). */
  closingWaitMs?: number
}

interface Entry {
  node: string
  accountId: string
  chatGroupId: string
  allowConnection: boolean
}

/** What the owner answers to 'evi.send'. */
type SendAnswer =
  { status: 'ok' } | { status: 'gone' } | { status: 'rejected'; message: string; spec?: { code: string; slug: string } }

/** A message on a chat's channel: one server message, or the chat's end. */
type Relayed = { m: Record<string, unknown> } | { end: true }

/** A chat of this node that others may follow: publishing only while someone asked and listens. */
interface Published {
  unsubscribe: () => void
  watching: boolean
  /** Bumped by every watch request, so a stale "nobody listened" cannot stop a new follower's feed. */
  gen: number
}

export class ClusterLiveChats extends LiveChats {
  private readonly entries = new Map<string, string>()
  private readonly published = new Map<string, Published>()
  /** Redis writes not awaited by their caller (registry, relayed messages): close() waits for them. */
  private readonly inflight = new Set<Promise<unknown>>()
  private readonly refresher: NodeJS.Timeout
  private readonly t: Required<
    Pick<ClusterChatsOptions, 'entryTtlMs' | 'requestTimeoutMs' | 'livenessMs' | 'commandTimeoutMs' | 'closingWaitMs'>
  >

  constructor(private readonly o: ClusterChatsOptions) {
    super()
    this.t = {
      entryTtlMs: o.entryTtlMs ?? 30_000,
      requestTimeoutMs: o.requestTimeoutMs ?? 10_000,
      livenessMs: o.livenessMs ?? 5_000,
      commandTimeoutMs: o.commandTimeoutMs ?? 5_000,
      closingWaitMs: o.closingWaitMs ?? 10_000,
    }
    o.bus.handle('evi.send', (body) => this.onSend(body as { accountId: string; chatId: string; message: unknown }))
    o.bus.handle('evi.watch', async (body) => this.onWatch(body as { accountId: string; chatId: string }))
    // A third of the lifetime: an entry survives two late refreshes.
    this.refresher = setInterval(() => this.refresh(), Math.max(10, Math.round(this.t.entryTtlMs / 3)))
    this.refresher.unref()
  }

  /** How long a registry entry outlives its node's last refresh, ms (the orphan sweep's interval). */
  get entryTtlMs(): number {
    return this.t.entryTtlMs
  }

  private key(chatId: string): string {
    return this.o.bus.name('evi', 'live', chatId)
  }

  private channel(chatId: string): string {
    return this.o.bus.name('evi', 'chat', chatId)
  }

  private closingKey(chatGroupId: string): string {
    return this.o.bus.name('evi', 'closing', chatGroupId)
  }

  private track(p: Promise<unknown>, what: string): void {
    const tracked = p.catch((err: unknown) => this.o.log.warn({ err }, `evi cluster: ${what} failed`))
    this.inflight.add(tracked)
    void tracked.finally(() => this.inflight.delete(tracked))
  }

  override add(chat: LiveChat): void {
    super.add(chat)
    const entry: Entry = {
      node: this.o.bus.nodeId,
      accountId: chat.accountId,
      chatGroupId: chat.chatGroupId,
      allowConnection: chat.allowConnection,
    }
    const json = JSON.stringify(entry)
    this.entries.set(chat.chatId, json)
    this.track(this.o.redis.set(this.key(chat.chatId), json, 'PX', this.t.entryTtlMs), 'registering a chat')
    if (!chat.allowConnection) return
    const p: Published = { unsubscribe: () => {}, watching: false, gen: 0 }
    this.published.set(chat.chatId, p)
    p.unsubscribe = chat.subscribe(
      (m) => this.relay(chat.chatId, p, { m }),
      () => this.relay(chat.chatId, p, { end: true }),
    )
  }

  override remove(chatId: string): void {
    super.remove(chatId)
    if (this.entries.delete(chatId)) this.track(this.o.redis.del(this.key(chatId)), 'unregistering a chat')
    const p = this.published.get(chatId)
    if (!p) return
    this.published.delete(chatId)
    p.unsubscribe()
    // Followers close with the chat (a follower subscribing right now hears it too).
    this.track(this.o.bus.publish(this.channel(chatId), JSON.stringify({ end: true })), 'ending a relayed chat')
  }

  override closingGroup(chatGroupId: string, done: Promise<void>): void {
    super.closingGroup(chatGroupId, done)
    const key = this.closingKey(chatGroupId)
    // Written before the chat's slot and registry entry are given back (one connection keeps the
    // order), so a node that can start the group's next chat already sees it.
    this.track(this.o.redis.set(key, this.o.bus.nodeId, 'PX', this.t.entryTtlMs), 'marking a chat group closing')
    void done.finally(() => this.track(this.o.redis.del(key), 'unmarking a chat group closing'))
  }

  /** Also waits (up to `closingWaitMs`) for the group's chat that ended on another node to finish closing. */
  override async groupClosed(chatGroupId: string): Promise<void> {
    await super.groupClosed(chatGroupId)
    const until = Date.now() + this.t.closingWaitMs
    const key = this.closingKey(chatGroupId)
    try {
      while (Date.now() < until) {
        const n = await withDeadline(this.o.redis.exists(key), this.t.commandTimeoutMs, 'reading a chat group')
        if (n === 0) return
        await new Promise((r) => setTimeout(r, 100))
      }
    } catch (err) {
      // The database's word (is the group active?) decides without it.
      this.o.log.warn({ err }, 'evi cluster: reading whether a chat group is closing failed')
    }
  }

  /**
   * Of these ACTIVE chats, the ones no node runs: not here, no registry entry, and their group not
   * closing anywhere. Throws when Redis cannot say (the sweep then ends nothing).
   */
  async unregistered<C extends { chatId: string; chatGroupId: string }>(chats: C[]): Promise<C[]> {
    const candidates = chats.filter((c) => !this.chats.has(c.chatId))
    if (candidates.length === 0) return []
    const batch = this.o.redis.pipeline()
    for (const c of candidates) batch.exists(this.key(c.chatId)).exists(this.closingKey(c.chatGroupId))
    const results = await withDeadline(batch.exec(), this.t.commandTimeoutMs, 'reading the chat registry')
    if (!results) throw new Error('the chat registry read was aborted')
    return candidates.filter((_, i) => {
      const [entryErr, entry] = results[2 * i]!
      const [closingErr, closing] = results[2 * i + 1]!
      if (entryErr || closingErr) throw entryErr ?? closingErr
      return entry === 0 && closing === 0
    })
  }

  override async reserve(accountId: string): Promise<Release | undefined> {
    return this.o.slots.tryAcquire(accountId)
  }

  override async find(accountId: string, chatId: string): Promise<LiveChat | undefined> {
    const local = this.get(accountId, chatId)
    if (local) return local
    let raw: string | null
    try {
      raw = await withDeadline(this.o.redis.get(this.key(chatId)), this.t.commandTimeoutMs, 'reading the chat registry')
    } catch (err) {
      this.o.log.warn({ err }, 'evi cluster: reading the chat registry failed')
      throw errors.unavailable('the registry of live chats cannot be reached right now')
    }
    const entry = raw ? parseEntry(raw) : undefined
    // Another account's chat is not found; an entry naming this node is one that has just ended here.
    if (!entry || entry.accountId !== accountId || entry.node === this.o.bus.nodeId) return undefined
    return this.standIn(chatId, entry)
  }

  /** A chat running on another node, as the control plane uses it. */
  private standIn(chatId: string, e: Entry): LiveChat {
    return {
      accountId: e.accountId,
      chatId,
      chatGroupId: e.chatGroupId,
      allowConnection: e.allowConnection,
      remote: true,
      send: (message) => this.sendRemote(chatId, e, message),
      subscribe: (listener, onEnd) => this.follow(chatId, e, listener, onEnd),
    }
  }

  private async sendRemote(chatId: string, e: Entry, message: unknown): Promise<void> {
    let answer: SendAnswer
    try {
      const body = { accountId: e.accountId, chatId, message }
      answer = (await this.o.bus.request(e.node, 'evi.send', body, this.t.requestTimeoutMs)) as SendAnswer
    } catch (err) {
      if (!(err instanceof NoAnswerError)) throw err
      // Its node is gone (nobody listens on its channel), and the chat with it.
      if (err.nodeGone) throw errors.notFound('Active chat', chatId)
      this.o.log.warn({ err, chatId, node: e.node }, 'evi cluster: the node running a chat did not answer')
      throw errors.unavailable(`the server running chat ${chatId} did not answer in time`)
    }
    if (answer.status === 'gone') throw errors.notFound('Active chat', chatId)
    if (answer.status === 'rejected') throw new ControlMessageError(answer.message, answer.spec)
  }

  /** Follows a remote chat's messages until unsubscribed or the chat ends (or its node dies). */
  private follow(
    chatId: string,
    e: Entry,
    listener: (m: Record<string, unknown>) => void,
    onEnd: () => void,
  ): () => void {
    let done = false
    let unsubscribe: (() => void) | undefined
    const stop = () => {
      done = true
      unsubscribe?.()
      clearInterval(liveness)
    }
    const end = () => {
      if (done) return
      stop()
      onEnd()
    }
    // Pub/sub cannot tell us the owner died: the registry entry expiring does.
    const liveness = setInterval(() => {
      this.o.redis.exists(this.key(chatId)).then(
        (n) => (n === 0 ? end() : undefined),
        () => {},
      )
    }, this.t.livenessMs)
    liveness.unref()
    void (async () => {
      try {
        const u = await this.o.bus.subscribe(this.channel(chatId), (raw) => {
          if (done) return
          const r = parseRelayed(raw)
          if (!r) return this.o.log.warn({ chatId }, 'evi cluster: a relayed message is not JSON; dropped')
          if ('end' in r) end()
          else listener(r.m)
        })
        if (done) return u()
        unsubscribe = u
        // Subscribed first, then asked: nothing the owner publishes after it answers is missed.
        const body = { accountId: e.accountId, chatId }
        const answer = (await this.o.bus.request(e.node, 'evi.watch', body, this.t.requestTimeoutMs)) as {
          found: boolean
        }
        if (!answer.found) end()
      } catch (err) {
        if (!done) this.o.log.warn({ err, chatId }, 'evi cluster: following a remote chat failed')
        end()
      }
    })()
    return () => {
      if (!done) stop()
    }
  }

  private relay(chatId: string, p: Published, r: Relayed): void {
    if (!p.watching) return
    const gen = p.gen
    this.track(
      this.o.bus.publish(this.channel(chatId), JSON.stringify(r)).then((receivers) => {
        // Nobody follows any more: stop until someone asks again.
        if (receivers === 0 && p.gen === gen) p.watching = false
      }),
      'relaying a chat message',
    )
  }

  /** Whether another node follows this node's chat now (its messages are being published). */
  followed(chatId: string): boolean {
    return this.published.get(chatId)?.watching ?? false
  }

  private async onSend(b: { accountId: string; chatId: string; message: unknown }): Promise<SendAnswer> {
    const chat = this.get(b.accountId, b.chatId)
    if (!chat) return { status: 'gone' }
    try {
      await chat.send(b.message)
      return { status: 'ok' }
    } catch (err) {
      if (err instanceof ControlMessageError)
        return { status: 'rejected', message: err.message, ...(err.spec ? { spec: err.spec } : {}) }
      throw err
    }
  }

  private onWatch(b: { accountId: string; chatId: string }): { found: boolean } {
    const chat = this.get(b.accountId, b.chatId)
    const p = this.published.get(b.chatId)
    if (!chat || !p) return { found: false }
    p.watching = true
    p.gen++
    return { found: true }
  }

  /** Keeps this node's entries alive (and restores them if Redis lost them). */
  private refresh(): void {
    if (this.entries.size === 0) return
    const batch = this.o.redis.pipeline()
    for (const [chatId, json] of this.entries) batch.set(this.key(chatId), json, 'PX', this.t.entryTtlMs)
    this.track(batch.exec(), 'refreshing the chat registry')
  }

  override async close(): Promise<void> {
    clearInterval(this.refresher)
    await Promise.allSettled([...this.inflight])
  }
}

function parseEntry(raw: string): Entry | undefined {
  try {
    const e = JSON.parse(raw) as Partial<Entry>
    if (typeof e.node !== 'string' || typeof e.accountId !== 'string') return undefined
    return {
      node: e.node,
      accountId: e.accountId,
      chatGroupId: String(e.chatGroupId ?? ''),
      allowConnection: e.allowConnection === true,
    }
  } catch {
    return undefined
  }
}

function parseRelayed(raw: string): Relayed | undefined {
  try {
    const r = JSON.parse(raw) as Relayed | null
    return r && typeof r === 'object' && ('end' in r || 'm' in r) ? r : undefined
  } catch {
    return undefined
  }
}
