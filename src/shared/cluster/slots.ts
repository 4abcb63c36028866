/**
 * Per-account counting semaphores: "at most `max` of these per account". The in-process one counts
 * in a Map (one server); with REDIS_URL the count is shared by every API node (redis-slots.ts), so an
 * account cannot hold its allowance once per node behind a load balancer.
 */

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void

export interface AccountSlots {
  readonly max: number
  /**
   * Takes one of the account's slots: its release, or undefined while the account holds `max`.
   * Rejects when the shared store cannot answer (the caller refuses the work: fail closed).
   */
  tryAcquire(accountId: string): Promise<Release | undefined>
  /** Slots the account holds now. Advisory: another node may take or give one back the next moment. */
  held(accountId: string): Promise<number>
}

/** Makes the semaphore called `name` (a key component) allowing `max` per account. */
export type SlotsFactory = (name: string, max: number) => AccountSlots

/** The in-process count: synchronous underneath, so callers that need it at once can use takeNow(). */
export class LocalSlots implements AccountSlots {
  private readonly counts = new Map<string, number>()

  constructor(readonly max: number) {}

  /** As tryAcquire, synchronously. */
  takeNow(accountId: string): Release | undefined {
    const n = this.counts.get(accountId) ?? 0
    if (n >= this.max) return undefined
    this.counts.set(accountId, n + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.counts.get(accountId) ?? 1) - 1
      if (left > 0) this.counts.set(accountId, left)
      else this.counts.delete(accountId)
    }
  }

  heldNow(accountId: string): number {
    return this.counts.get(accountId) ?? 0
  }

  async tryAcquire(accountId: string): Promise<Release | undefined> {
    return this.takeNow(accountId)
  }

  async held(accountId: string): Promise<number> {
    return this.heldNow(accountId)
  }
}

export const localSlots: SlotsFactory = (_name, max) => new LocalSlots(max)
