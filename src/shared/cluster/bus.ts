/**
 * Messages between the API nodes of one deployment, on Redis pub/sub: each node listens on a channel
 * of its own for requests (answered on the asker's channel, matched by id, with a deadline), and
 * any node can publish on, or follow, a named channel. Commands and PUBLISH go over the node's
 * shared connection; SUBSCRIBE needs a connection of its own (ioredis puts it in subscriber mode),
 * duplicated from the shared one. Pub/sub delivers at most once: a message published while no node
 * listens is lost, which is why requests have deadlines.
 */
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { withDeadline } from '../deadline.js'

/** Requests this node may be waiting on at once (each is an HTTP request or a socket message). */
export const MAX_PENDING_REQUESTS = 10_000

type Handler = (body: unknown, from: string) => Promise<unknown>
type Envelope =
  | { t: 'req'; id: string; from: string; kind: string; body: unknown }
  | { t: 'res'; id: string; ok: true; body: unknown }
  | { t: 'res'; id: string; ok: false; error: string }

interface Pending {
  resolve: (body: unknown) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export interface BusOptions {
  prefix: string
  log: Logger
  /** Longest wait for Redis itself (subscribing), ms. */
  commandTimeoutMs: number
}

/** The other node did not answer: it is gone (`nodeGone`: nobody listens on its channel), or too slow. */
export class NoAnswerError extends Error {
  constructor(
    kind: string,
    node: string,
    readonly nodeGone: boolean,
  ) {
    super(nodeGone ? `node ${node} is gone (asked: ${kind})` : `node ${node} did not answer ${kind} in time`)
    this.name = 'NoAnswerError'
  }
}

export class ClusterBus {
  /** This process's id in the cluster: what registries name as a resource's owner. */
  readonly nodeId = randomUUID()
  private readonly pending = new Map<string, Pending>()
  private readonly handlers = new Map<string, Handler>()
  private readonly channels = new Map<string, { listeners: Set<(message: string) => void>; ready: Promise<void> }>()
  private closed = false

  private constructor(
    private readonly redis: Redis,
    private readonly sub: Redis,
    private readonly o: BusOptions,
  ) {
    sub.on('message', (channel: string, message: string) => this.onMessage(channel, message))
  }

  /**
   * Connects the subscriber and listens on this node's channel. Resolves once it does, or after the
   * command deadline with a warning: a node started while Redis is away is not refused; ioredis
   * subscribes when it connects, and until then other nodes find this one gone.
   */
  static async start(redis: Redis, o: BusOptions): Promise<ClusterBus> {
    const sub = redis.duplicate()
    // ioredis reconnects (and resubscribes) by itself; without a listener its errors would crash.
    sub.on('error', (err) => o.log.warn({ err }, 'cluster: redis subscriber connection error'))
    const bus = new ClusterBus(redis, sub, o)
    const subscribed = sub.subscribe(bus.nodeChannel(bus.nodeId))
    subscribed.catch(() => {})
    try {
      await withDeadline(subscribed, o.commandTimeoutMs, 'subscribing')
    } catch (err) {
      o.log.warn({ err }, 'cluster: not yet listening for other nodes (Redis unreachable?)')
    }
    return bus
  }

  /** A channel or key name under the deployment's prefix. */
  name(...parts: string[]): string {
    return [this.o.prefix, ...parts].join(':')
  }

  private nodeChannel(node: string): string {
    return this.name('cluster', 'node', node)
  }

  /** Answers requests of this kind from other nodes. A handler that throws answers an error. */
  handle(kind: string, handler: Handler): void {
    this.handlers.set(kind, handler)
  }

  /** Asks `node` and resolves with its answer; rejects with NoAnswerError after `timeoutMs`. */
  async request(node: string, kind: string, body: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) throw new Error('the cluster bus is closed')
    if (this.pending.size >= MAX_PENDING_REQUESTS)
      throw new Error(`more than ${MAX_PENDING_REQUESTS} requests to other nodes are waiting`)
    const id = randomUUID()
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new NoAnswerError(kind, node, false))
      }, timeoutMs)
      timer.unref()
      this.pending.set(id, { resolve, reject, timer })
    })
    const envelope: Envelope = { t: 'req', id, from: this.nodeId, kind, body }
    const receivers = await this.redis
      .publish(this.nodeChannel(node), JSON.stringify(envelope))
      .catch((err: unknown) => {
        this.settle(id)?.reject(err instanceof Error ? err : new Error(String(err)))
        return -1
      })
    // Nobody listens on that node's channel: it is gone; no need to wait out the deadline.
    if (receivers === 0) this.settle(id)?.reject(new NoAnswerError(kind, node, true))
    return answer
  }

  /** Publishes on a channel; resolves with how many subscribers (over all nodes) received it. */
  publish(channel: string, message: string): Promise<number> {
    return this.redis.publish(channel, message)
  }

  /** Follows a channel until the returned function is called; resolves once the subscription holds. */
  async subscribe(channel: string, listener: (message: string) => void): Promise<() => void> {
    let entry = this.channels.get(channel)
    if (!entry) {
      const ready = withDeadline(
        this.sub.subscribe(channel).then(() => {}),
        this.o.commandTimeoutMs,
        'subscribing',
      )
      entry = { listeners: new Set(), ready }
      this.channels.set(channel, entry)
    }
    const e = entry
    e.listeners.add(listener)
    const unsubscribe = () => {
      if (!e.listeners.delete(listener) || e.listeners.size > 0 || this.channels.get(channel) !== e) return
      this.channels.delete(channel)
      if (!this.closed) this.sub.unsubscribe(channel).catch(() => {})
    }
    try {
      await e.ready
    } catch (err) {
      unsubscribe()
      throw err
    }
    return unsubscribe
  }

  private settle(id: string): Pending | undefined {
    const p = this.pending.get(id)
    if (!p) return undefined
    this.pending.delete(id)
    clearTimeout(p.timer)
    return p
  }

  private onMessage(channel: string, message: string): void {
    if (channel !== this.nodeChannel(this.nodeId)) {
      for (const l of this.channels.get(channel)?.listeners ?? []) l(message)
      return
    }
    let e: Envelope
    try {
      e = JSON.parse(message) as Envelope
    } catch (err) {
      this.o.log.warn({ err }, 'cluster: a message on this node channel is not JSON')
      return
    }
    if (e.t === 'res') {
      const p = this.settle(e.id)
      if (!p) return // answered after its deadline
      if (e.ok) p.resolve(e.body)
      else p.reject(new Error(e.error))
      return
    }
    void this.answer(e)
  }

  private async answer(e: Extract<Envelope, { t: 'req' }>): Promise<void> {
    const handler = this.handlers.get(e.kind)
    let reply: Envelope
    try {
      if (!handler) throw new Error(`no handler for ${e.kind}`)
      reply = { t: 'res', id: e.id, ok: true, body: await handler(e.body, e.from) }
    } catch (err) {
      this.o.log.error({ err, kind: e.kind }, 'cluster: handling a request from another node failed')
      reply = { t: 'res', id: e.id, ok: false, error: err instanceof Error ? err.message : String(err) }
    }
    if (this.closed) return
    await this.redis
      .publish(this.nodeChannel(e.from), JSON.stringify(reply))
      .catch((err: unknown) => this.o.log.warn({ err }, 'cluster: answering another node failed'))
  }

  /** Stops listening; requests still waiting fail at once. Leaves the shared connection open. */
  async close(): Promise<void> {
    this.closed = true
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(new Error('the cluster bus is closed'))
    this.channels.clear()
    this.sub.disconnect()
  }
}
