/**
 * What the API nodes share beyond the database: per-account slots and the bus between nodes. Without
 * REDIS_URL a server is its own cluster (in-process slots, no bus); with it, both live in Redis.
 */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { ClusterBus } from './bus.js'
import { redisSlots, SLOT_DEFAULTS } from './redis-slots.js'
import { localSlots, type SlotsFactory } from './slots.js'

export interface Cluster {
  readonly slots: SlotsFactory
  /** Undefined on a single node (no REDIS_URL). */
  readonly bus: ClusterBus | undefined
  close(): Promise<void>
}

export interface ClusterTimings {
  /** A dead node's slots are free again after this long, ms (default 30 s). */
  lockTimeoutMs?: number
  /** Longest wait for Redis before work is refused, ms (default 5 s). */
  commandTimeoutMs?: number
}

export const singleNode: Cluster = { slots: localSlots, bus: undefined, close: async () => {} }

/** The cluster on this Redis connection (shared with the queue; the bus duplicates it to subscribe). */
export async function startCluster(
  redis: Redis,
  o: { prefix: string; log: Logger } & ClusterTimings,
): Promise<Cluster> {
  const timings = {
    lockTimeoutMs: o.lockTimeoutMs ?? SLOT_DEFAULTS.lockTimeoutMs,
    commandTimeoutMs: o.commandTimeoutMs ?? SLOT_DEFAULTS.commandTimeoutMs,
  }
  const bus = await ClusterBus.start(redis, {
    prefix: o.prefix,
    log: o.log,
    commandTimeoutMs: timings.commandTimeoutMs,
  })
  return {
    slots: redisSlots(redis, {
      prefix: o.prefix,
      log: o.log,
      lockTimeoutMs: timings.lockTimeoutMs,
      commandTimeoutMs: timings.commandTimeoutMs,
    }),
    bus,
    close: () => bus.close(),
  }
}
