/**
 * The cluster's sweep of chats whose node died (REDIS_URL): such a chat stays ACTIVE in the
 * database, which keeps its group from being resumed ("chat group already active") and its history
 * open. One process learns of its own dead chats at its next start (runtime.ts, endStaleChats); in a
 * cluster the registry knows sooner: a chat that no node has kept registered (cluster-chats.ts) in
 * two sweeps in a row, and older than a registry entry lives, has no node. It is ended with status
 * ERROR, as the start-up sweep does.
 *
 * Every API node sweeps; ending a chat is conditional on it still being ACTIVE, so two nodes ending
 * one chat end it once.
 */
import type { Logger } from 'pino'
import type { ActiveChat, ChatHistory } from '../history/history.types.js'

export interface OrphanSweepOptions {
  history: Pick<ChatHistory, 'activeChats' | 'endChat'>
  live: { unregistered(chats: ActiveChat[]): Promise<ActiveChat[]> }
  log: Logger
  /** Between sweeps, ms; also the least age of a chat it may end (a registry entry's lifetime). */
  everyMs: number
}

export class OrphanSweep {
  /** Unregistered at the last sweep: ended if still unregistered at this one. */
  private suspects = new Set<string>()
  private readonly timer: NodeJS.Timeout
  private running: Promise<unknown> = Promise.resolve()

  constructor(private readonly o: OrphanSweepOptions) {
    let busy = false
    this.timer = setInterval(() => {
      // A sweep slower than the interval (a slow database) is not overlapped by the next one.
      if (busy) return
      busy = true
      this.running = this.sweep()
        .catch((err: unknown) => o.log.warn({ err }, 'evi cluster: the orphan-chat sweep failed'))
        .finally(() => (busy = false))
    }, o.everyMs)
    this.timer.unref()
  }

  /** One sweep; returns how many chats it ended. */
  async sweep(): Promise<number> {
    const active = await this.o.history.activeChats(Date.now() - this.o.everyMs)
    const orphans = await this.o.live.unregistered(active)
    const again = orphans.filter((c) => this.suspects.has(c.chatId))
    this.suspects = new Set(orphans.map((c) => c.chatId))
    let ended = 0
    for (const c of again) {
      this.suspects.delete(c.chatId)
      try {
        await this.o.history.endChat(c.accountId, c.chatId, 'ERROR')
        ended++
      } catch (err) {
        // Deleted meanwhile, or the database failed: the next sweep sees what is left.
        this.o.log.warn({ err, chatId: c.chatId }, 'evi cluster: ending an orphaned chat failed')
      }
    }
    if (ended > 0) this.o.log.warn({ chats: ended }, 'evi cluster: ended chats whose node stopped (status ERROR)')
    return ended
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }
}
