import { toCamel, toSnake } from './casing.js'
import type { WebSocketConstructor } from './options.js'
import type { HttpClient, QueryValue } from './http.js'

type Handlers<R> = {
  open: () => void
  message: (message: R) => void
  close: (event: { code: number; reason: string }) => void
  error: (error: Error) => void
}

/**
 * A typed JSON WebSocket: server messages arrive camelCased (`on('message')`, or `for await`), client
 * messages are sent snake_cased. The shape of the official SDK's sockets (`on`, `waitForOpen`, `close`,
 * `readyState`), over whichever WebSocket the runtime (or the caller) provides.
 */
export class ProsodiaSocket<Send, Receive> implements AsyncIterable<Receive> {
  readonly socket: WebSocket
  private readonly handlers: { [K in keyof Handlers<Receive>]: Set<Handlers<Receive>[K]> } = {
    open: new Set(),
    message: new Set(),
    close: new Set(),
    error: new Set(),
  }
  private closedWith: { code: number; reason: string } | undefined
  private lastError: string | undefined

  constructor(url: string, WebSocketImpl: WebSocketConstructor) {
    this.socket = new WebSocketImpl(url)
    this.socket.binaryType = 'arraybuffer'
    this.socket.addEventListener('open', () => this.emit('open'))
    this.socket.addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data !== 'string') return
      let message: Receive
      try {
        message = toCamel(JSON.parse(event.data)) as Receive
      } catch (cause) {
        // Never thrown from the listener: that would be an uncaught exception that ends a Node process.
        this.emit('error', new Error(`The server sent a message that cannot be read: ${String(cause)}`, { cause }))
        return
      }
      this.emit('message', message)
    })
    this.socket.addEventListener('close', (event: CloseEvent) => {
      this.closedWith = { code: event.code, reason: event.reason }
      this.emit('close', this.closedWith)
    })
    this.socket.addEventListener('error', (event: Event) => {
      const message = (event as { message?: string }).message
      // Kept for waitForOpen: `ws` says why an upgrade failed ("Unexpected server response: 401").
      this.lastError = message
      this.emit('error', new Error(message ? `WebSocket error: ${message}` : 'WebSocket error'))
    })
  }

  get readyState(): number {
    return this.socket.readyState
  }

  on<K extends keyof Handlers<Receive>>(event: K, handler: Handlers<Receive>[K]): () => void {
    this.handlers[event].add(handler)
    return () => this.off(event, handler)
  }

  off<K extends keyof Handlers<Receive>>(event: K, handler: Handlers<Receive>[K]): void {
    this.handlers[event].delete(handler)
  }

  /** Resolves once connected; rejects if the socket closes first (refused upgrade, bad key). */
  waitForOpen(): Promise<this> {
    if (this.socket.readyState === 1) return Promise.resolve(this)
    return new Promise((resolve, reject) => {
      if (this.closedWith) return reject(closedError(this.closedWith, this.lastError))
      const offOpen = this.on('open', () => {
        offOpen()
        offClose()
        resolve(this)
      })
      const offClose = this.on('close', (event) => {
        offOpen()
        offClose()
        reject(closedError(event, this.lastError))
      })
    })
  }

  /** Sends one client message (camelCase or snake_case keys; sent snake_case). */
  sendJson(message: Send): void {
    this.assertOpen()
    this.socket.send(JSON.stringify(toSnake(message)))
  }

  /** Sends binary frames (raw audio where the socket accepts it). */
  sendBinary(data: ArrayBuffer | Uint8Array): void {
    this.assertOpen()
    this.socket.send(data as ArrayBuffer)
  }

  close(code = 1000, reason?: string): void {
    if (this.socket.readyState === 2 || this.socket.readyState === 3) return
    this.socket.close(code, reason)
  }

  /** Resolves when the socket has closed (now or later). */
  closed(): Promise<{ code: number; reason: string }> {
    if (this.closedWith) return Promise.resolve(this.closedWith)
    return new Promise((resolve) => {
      const off = this.on('close', (event) => {
        off()
        resolve(event)
      })
    })
  }

  /** Every server message from now until the socket closes. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Receive, void, undefined> {
    const queue: Receive[] = []
    let wake: (() => void) | undefined
    const offMessage = this.on('message', (m) => {
      queue.push(m)
      wake?.()
    })
    const offClose = this.on('close', () => wake?.())
    try {
      for (;;) {
        if (queue.length > 0) {
          yield queue.shift() as Receive
          continue
        }
        if (this.closedWith) return
        await new Promise<void>((resolve) => (wake = resolve))
        wake = undefined
      }
    } finally {
      offMessage()
      offClose()
    }
  }

  private assertOpen(): void {
    if (this.socket.readyState === 0) throw new Error('The socket is not open yet (await socket.waitForOpen() first)')
    if (this.socket.readyState !== 1) throw new Error('The socket is not open: it has closed')
  }

  private emit<K extends keyof Handlers<Receive>>(event: K, ...args: Parameters<Handlers<Receive>[K]>): void {
    for (const handler of [...this.handlers[event]]) (handler as (...a: unknown[]) => void)(...args)
  }
}

function closedError(event: { code: number; reason: string }, lastError?: string): Error {
  const why = event.reason || lastError
  return new Error(`The socket closed before it opened (code ${event.code}${why ? `: ${why}` : ''})`)
}

/**
 * The socket URL for `path` on the client's server (http→ws, https→wss), authenticated by query parameter
 * as browsers must (they cannot set headers on an upgrade): `api_key`, or `access_token`.
 */
export async function socketUrl(
  http: HttpClient,
  path: string,
  query: Record<string, QueryValue> = {},
): Promise<string> {
  const auth: Record<string, QueryValue> = {}
  const { apiKey, accessToken } = await http.credentials()
  if (accessToken !== undefined) auth.access_token = accessToken
  else if (apiKey !== undefined) auth.api_key = apiKey
  return http.url(path, { ...query, ...auth }).replace(/^http/, 'ws')
}

export function webSocketImpl(http: HttpClient): WebSocketConstructor {
  const impl = http.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!impl) {
    throw new Error(
      "This runtime has no global WebSocket (Node 20 has none): pass one, e.g. new ProsodiaClient({ WebSocket }) with WebSocket from the 'ws' package",
    )
  }
  return impl
}
