import type { ServerResponse } from 'node:http'
import { LocalSlots, type AccountSlots, type Release } from '../cluster/slots.js'
import { errors } from './errors.js'

/**
 * At most `max` operations in flight per account: one account's burst cannot take every thread and
 * queue slot that all accounts share. Beyond it: 429 with retry-after. The count is this server's
 * by default; given shared slots (REDIS_URL) it is the whole cluster's.
 */
export class AccountGate {
  constructor(
    private readonly max: number,
    /** Named in the 429 message: the variable an operator would raise. */
    private readonly setting: string,
    private readonly slots: AccountSlots = new LocalSlots(max),
  ) {}

  /** Takes a slot or throws 429 (503 if the shared count cannot be reached); the returned function gives it back. */
  async acquire(accountId: string): Promise<Release> {
    let release: Release | undefined
    try {
      release = await this.slots.tryAcquire(accountId)
    } catch {
      // Fail closed: without the shared count the account's limit cannot be kept (the slots log why).
      throw errors.unavailable(`the per-account limit (${this.setting}) cannot be checked right now`)
    }
    if (!release)
      throw errors.tooManyRequests(`this account already has ${this.max} such requests in flight (${this.setting})`)
    return release
  }

  /** Holds one of the account's slots until the response is over, however it ends. */
  async hold(accountId: string, res: ServerResponse): Promise<void> {
    const release = await this.acquire(accountId)
    // The client may have gone while the slot was being taken (a shared count asks Redis).
    if (res.closed) release()
    else res.once('close', release)
  }
}
