import { errors } from './errors.js'

/**
 * At most `max` operations in flight per account on this server: one account's burst cannot take
 * every thread and queue slot that all accounts share. Beyond it: 429 with retry-after.
 */
export class AccountGate {
  private readonly held = new Map<string, number>()

  constructor(
    private readonly max: number,
    /** Named in the 429 message: the variable an operator would raise. */
    private readonly setting: string,
  ) {}

  /** Takes a slot or throws 429; the returned function gives it back (once, however often called). */
  acquire(accountId: string): () => void {
    const n = this.held.get(accountId) ?? 0
    if (n >= this.max)
      throw errors.tooManyRequests(`this account already has ${this.max} such requests in flight (${this.setting})`)
    this.held.set(accountId, n + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.held.get(accountId) ?? 1) - 1
      if (left > 0) this.held.set(accountId, left)
      else this.held.delete(accountId)
    }
  }
}
