/**
 * Bounds on every WebSocket: concurrent sockets per account (checked before the upgrade and again
 * after it), client messages per second (a token bucket allowing 2 s bursts), and an idle timeout
 * (no client message while no work is in progress). Message size is capped by the ws server's
 * maxPayload (see app.ts). Route modules call `guard.attach` first thing in their socket handler.
 *
 * With shared slots (REDIS_URL) the per-account cap counts every node's sockets: the check before
 * the upgrade reads the shared count (advisory: a 429 the client can read), and attach takes a
 * shared slot (authoritative: 1013 if another node took the last one meanwhile). Until that slot is
 * ours the socket reads nothing from its client; routes that start work on their own at open wait
 * for `admitted`.
 */
import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import type { Limits } from '../../config.js'
import type { AccountSlots } from '../cluster/slots.js'
import { errors } from './errors.js'

/** Close codes: 1008 policy violation (rate), 1013 try again later (too many sockets), 1000 idle. */
export const CLOSE_POLICY = 1008
export const CLOSE_TRY_LATER = 1013
const TOO_MANY = 'too many open sockets for this account'

export interface SocketWatch {
  /** Call on every client message; false means the socket was closed for exceeding the rate. */
  message(): boolean
  /** Wrap work that keeps the socket busy (no idle close while any is running). */
  busy<T>(work: Promise<T>): Promise<T>
  /** Resolves true once the account's slot is held (at once on one node); false: the socket was closed. */
  readonly admitted: Promise<boolean>
}

type SocketLimits = Pick<Limits, 'wsIdleMs' | 'wsMessagesPerSecond' | 'wsSocketsPerAccount'>

export class SocketGuard {
  /** Sockets open on this node, per account (the cap itself, with shared slots, is the cluster's). */
  private readonly open = new Map<string, number>()

  constructor(
    readonly limits: SocketLimits,
    /** The cluster's count of open sockets (REDIS_URL); left out, this process counts alone. */
    private readonly shared?: { slots: AccountSlots; log: Logger },
  ) {}

  /** For a preValidation hook: refuses the handshake (429) while the account holds its maximum. */
  async checkAdmission(accountId: string): Promise<void> {
    let held = this.open.get(accountId) ?? 0
    if (this.shared) {
      try {
        held = await this.shared.slots.held(accountId)
      } catch {
        throw errors.unavailable('the per-account socket limit cannot be checked right now')
      }
    }
    if (held >= this.limits.wsSocketsPerAccount)
      throw errors.tooManyRequests(
        `this account already holds ${this.limits.wsSocketsPerAccount} open sockets (PROSODIA_WS_MAX_SOCKETS_PER_ACCOUNT)`,
      )
  }

  /** Sockets currently open, per account: for /healthz and tests. */
  count(accountId?: string): number {
    if (accountId !== undefined) return this.open.get(accountId) ?? 0
    let n = 0
    for (const v of this.open.values()) n += v
    return n
  }

  /** Registers an upgraded socket; closes it at once if the account is over its cap (a handshake race). */
  attach(socket: WebSocket, accountId: string, o: { messagesPerSecond?: number } = {}): SocketWatch | undefined {
    const held = this.open.get(accountId) ?? 0
    if (!this.shared && held >= this.limits.wsSocketsPerAccount) {
      socket.close(CLOSE_TRY_LATER, TOO_MANY)
      return undefined
    }
    const admitted = this.shared ? this.takeShared(socket, accountId, this.shared) : Promise.resolve(true)
    this.open.set(accountId, held + 1)
    const { wsIdleMs } = this.limits
    // A route whose clients stream in small pieces (EVI audio every 20 ms) allows more messages.
    const wsMessagesPerSecond = o.messagesPerSecond ?? this.limits.wsMessagesPerSecond
    const capacity = wsMessagesPerSecond * 2
    let tokens = capacity
    let last = Date.now()
    let working = 0
    let timer: NodeJS.Timeout | undefined
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        if (working > 0) return arm()
        socket.close(1000, `idle for ${wsIdleMs} ms`)
      }, wsIdleMs)
      timer.unref()
    }
    arm()
    socket.once('close', () => {
      clearTimeout(timer)
      const n = (this.open.get(accountId) ?? 1) - 1
      if (n > 0) this.open.set(accountId, n)
      else this.open.delete(accountId)
    })
    return {
      message: () => {
        const now = Date.now()
        tokens = Math.min(capacity, tokens + ((now - last) / 1000) * wsMessagesPerSecond)
        last = now
        if (tokens < 1) {
          socket.close(CLOSE_POLICY, `more than ${wsMessagesPerSecond} messages per second`)
          return false
        }
        tokens -= 1
        arm()
        return true
      },
      busy: async (work) => {
        working++
        try {
          return await work
        } finally {
          working--
          arm()
        }
      },
      admitted,
    }
  }

  /** Takes the account's cluster-wide slot for this socket, which reads nothing until it has it. */
  private async takeShared(
    socket: WebSocket,
    accountId: string,
    shared: { slots: AccountSlots; log: Logger },
  ): Promise<boolean> {
    socket.pause()
    let release
    try {
      release = await shared.slots.tryAcquire(accountId)
    } catch (err) {
      shared.log.warn({ err, accountId }, 'sockets: the shared socket count is unreachable; socket refused')
      return refuse(socket, 'the socket limit cannot be checked right now')
    }
    if (!release) return refuse(socket, TOO_MANY)
    if (socket.readyState === socket.CLOSED) {
      release()
      return false
    }
    socket.once('close', release)
    // Reading again also lets a close handshake begun meanwhile (by the client) complete.
    socket.resume()
    return socket.readyState === socket.OPEN
  }
}

/** Closes a socket still paused for its slot: it must read again, or the close handshake waits 30 s. */
function refuse(socket: WebSocket, reason: string): false {
  socket.close(CLOSE_TRY_LATER, reason)
  socket.resume()
  return false
}
