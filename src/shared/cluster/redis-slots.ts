/**
 * Per-account slots shared by every node through Redis (REDIS_URL), on redis-semaphore's Semaphore:
 * one sorted set per account and kind, holding one member per slot scored with its holder's last
 * refresh. A holder refreshes its member while it runs; a node that dies stops refreshing, and its
 * members are dropped by the next acquire once they are `lockTimeoutMs` old, so a crash never locks
 * an account out for longer than that. Expiry compares the nodes' clocks: keep them in sync (NTP).
 */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { Semaphore, type LockOptions } from 'redis-semaphore'
import { withDeadline } from '../deadline.js'
import type { AccountSlots, Release, SlotsFactory } from './slots.js'

export interface RedisSlotsOptions {
  /** Key prefix (config.redisPrefix): keys are `${prefix}:slots:${name}:${accountId}`. */
  prefix: string
  /** How long a slot outlives its holder's last refresh, ms (a dead node's slots come back after it). */
  lockTimeoutMs: number
  /** Longest wait for Redis before the work is refused, ms. */
  commandTimeoutMs: number
  log: Logger
}

/** Defaults for production: refreshes every 10 s; a dead node's slots are free after 30 s. */
export const SLOT_DEFAULTS = { lockTimeoutMs: 30_000, commandTimeoutMs: 5_000 }

/** The library's semaphore, with our key names and a refresh that never crashes the process. */
class AccountSemaphore extends Semaphore {
  constructor(
    client: Redis,
    key: string,
    limit: number,
    options: LockOptions,
    private readonly log: Logger,
  ) {
    super(client, key, limit, options)
    // The library prefixes "semaphore:"; every key of ours stays under config.redisPrefix (one
    // deployment's keys, ACL patterns) instead.
    this._key = key
  }

  // The library refreshes from a setInterval: a rejected refresh (a Redis error) would be an
  // unhandled rejection. Keep the slot meanwhile; if the outage outlasts the lock timeout the next
  // successful refresh reports the slot lost (onLockLost).
  protected override async _refresh(): Promise<boolean> {
    try {
      return await super._refresh()
    } catch (err) {
      this.log.warn({ err, key: this._key }, 'cluster: refreshing a slot failed; will retry')
      return true
    }
  }
}

export class RedisSlots implements AccountSlots {
  constructor(
    private readonly redis: Redis,
    private readonly name: string,
    readonly max: number,
    private readonly o: RedisSlotsOptions,
  ) {}

  key(accountId: string): string {
    return `${this.o.prefix}:slots:${this.name}:${accountId}`
  }

  private semaphore(key: string, onLost: () => void): AccountSemaphore {
    const { lockTimeoutMs, commandTimeoutMs, log } = this.o
    return new AccountSemaphore(
      this.redis,
      key,
      this.max,
      {
        lockTimeout: lockTimeoutMs,
        // One attempt: a full account is refused at once (429), never queued.
        acquireAttemptsLimit: 1,
        acquireTimeout: commandTimeoutMs,
        retryInterval: 0,
        // A third of the timeout: two refreshes may be late before the slot is at risk.
        refreshInterval: this.refreshMs,
        onLockLost: () => onLost(),
      },
      log,
    )
  }

  private get refreshMs(): number {
    return Math.max(1, Math.round(this.o.lockTimeoutMs / 3))
  }

  async tryAcquire(accountId: string): Promise<Release | undefined> {
    const { commandTimeoutMs, log } = this.o
    const key = this.key(accountId)
    let released = false
    // A slot is lost when Redis forgot it (restarted empty, failed over) or was away past the lock
    // timeout while its holder still runs: the holder takes one back, so the account's count is true
    // again; if the account filled up meanwhile, this holder runs over the limit until it ends (logged).
    const regain = async () => {
      log.warn({ key }, 'cluster: a held slot was lost (Redis restarted or was away too long); taking it back')
      while (!released) {
        const next = this.semaphore(key, () => void regain())
        try {
          const ok = await withDeadline(next.tryAcquire(), commandTimeoutMs, `taking back a ${this.name} slot`)
          if (!ok) {
            log.warn({ key }, 'cluster: a lost slot could not be taken back (the account is at its limit)')
            return
          }
          if (released) void next.release().catch(() => {})
          else current = next
          return
        } catch {
          await new Promise((r) => setTimeout(r, this.refreshMs).unref())
        }
      }
    }
    let current = this.semaphore(key, () => void regain())
    const first = current
    const acquiring = first.tryAcquire()
    let ok: boolean
    try {
      ok = await withDeadline(acquiring, commandTimeoutMs, `taking a ${this.name} slot`)
    } catch (err) {
      // Given up on: a late success must not hold (and keep refreshing) a slot nobody uses.
      released = true
      void acquiring.then((late) => (late ? first.release() : undefined)).catch(() => {})
      log.warn({ err, key }, 'cluster: taking a slot failed')
      throw err
    }
    if (!ok) return undefined
    return () => {
      if (released) return
      released = true
      current.release().catch((err: unknown) => log.warn({ err, key }, 'cluster: releasing a slot failed (it expires)'))
    }
  }

  async held(accountId: string): Promise<number> {
    // Members older than the lock timeout belong to dead holders: not counted (acquire drops them).
    const since = Date.now() - this.o.lockTimeoutMs
    const key = this.key(accountId)
    try {
      return await withDeadline(this.redis.zcount(key, `(${since}`, '+inf'), this.o.commandTimeoutMs, 'counting slots')
    } catch (err) {
      this.o.log.warn({ err, key }, 'cluster: counting slots failed')
      throw err
    }
  }
}

export function redisSlots(redis: Redis, o: RedisSlotsOptions): SlotsFactory {
  return (name, max) => new RedisSlots(redis, name, max, o)
}
