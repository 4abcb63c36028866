// /v0/evi/chat/{chat_id}/connect: a second socket onto a live chat opened with
// allow_connection=true. It receives every server message the chat sends its own client, and what it
// sends goes to the chat as if that client had sent it, except `audio_input` (answered with an
// `error` message; the socket stays open). It closes when the chat ends. Authentication, the
// per-account socket cap, message rate and size are the app's, shared with every socket.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { WebSocket } from 'ws'
import { ApiError, errors } from '../../../shared/http/errors.js'
import { parseClientJson } from '../../../shared/http/json.js'
import { CLOSE_POLICY, type SocketGuard, type SocketWatch } from '../../../shared/http/sockets.js'
import type { ChatErrorSpec } from '../chat/chat.codes.js'
import { ControlMessageError, type LiveChat, type LiveChats } from '../chat/live-chats.js'
import { CHAT_ERRORS, checkPublishEvent, CONTROL_ERRORS, errorMessage, PUBLISH_TYPES } from './control.schemas.js'

export interface ConnectLimits {
  jsonDepth: number
  /** Output the client has not read (PROSODIA_WS_MAX_BUFFERED_BYTES) before it is given `stallMs` to catch up. */
  bufferedBytes: number
  stallMs: number
}

/** Messages accepted but not yet handled by the chat before the socket stops reading (TCP back-pressure). */
export const MAX_PENDING_MESSAGES = 8

/** The account's chat if it accepts connections; otherwise the handshake is refused with a 4xx. */
export async function connectableChat(liveChats: LiveChats, accountId: string, chatId: string): Promise<LiveChat> {
  const chat = await liveChats.find(accountId, chatId)
  if (!chat) throw errors.notFound('Active chat', chatId)
  if (!chat.allowConnection)
    throw errors.conflict(`Chat ${chatId} was not started with allow_connection=true, so it accepts no connections`)
  return chat
}

class ControlConnection {
  private queue: Promise<void> = Promise.resolve()
  private pending = 0
  private stall: NodeJS.Timeout | undefined
  private readonly unsubscribe: () => void

  constructor(
    private readonly socket: WebSocket,
    private readonly chat: LiveChat,
    private readonly limits: ConnectLimits,
    private readonly log: FastifyBaseLogger,
    private readonly requestId: string,
    watch: SocketWatch,
  ) {
    // A socket that only listens is never idle while its chat runs (the chat has its own timeouts):
    // it is busy until it closes, which it does when the chat ends. The promise never settles; it
    // goes with the socket.
    void watch.busy(new Promise<void>(() => {}))
    this.unsubscribe = chat.subscribe(
      (message) => this.relay(message),
      () => this.socket.close(1000, 'the chat has ended'),
    )
    socket.once('close', () => {
      clearTimeout(this.stall)
      this.unsubscribe()
    })
  }

  /** Sends a chat message on; a client that stops reading is closed rather than buffered without end. */
  private relay(message: Record<string, unknown>): void {
    const { socket, limits } = this
    if (socket.readyState !== socket.OPEN) return
    socket.send(JSON.stringify(message))
    const buffered = socket.bufferedAmount
    if (buffered > 2 * limits.bufferedBytes) return this.tooSlow()
    if (buffered <= limits.bufferedBytes || this.stall) return
    this.stall = setTimeout(() => {
      this.stall = undefined
      if (socket.bufferedAmount > limits.bufferedBytes / 2) this.tooSlow()
    }, limits.stallMs)
    this.stall.unref()
  }

  private tooSlow(): void {
    this.socket.close(CLOSE_POLICY, 'the client is not reading the chat')
  }

  private error(spec: ChatErrorSpec, message: string): void {
    this.relay(errorMessage(spec, message, this.requestId))
  }

  onMessage(raw: string): void {
    let value: unknown
    try {
      value = parseClientJson(raw, this.limits.jsonDepth, ['message'])
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      return this.error(CHAT_ERRORS.invalidJson, err.message)
    }
    const type = (value as { type?: unknown } | null)?.type
    if (type === 'audio_input')
      return this.error(CONTROL_ERRORS.audioNotAllowed, 'audio_input is not accepted on a control plane connection')
    if (typeof type === 'string' && !(PUBLISH_TYPES as string[]).includes(type))
      return this.error(CHAT_ERRORS.unknownMessageType, `unknown message type "${type.slice(0, 64)}"`)
    let message: unknown
    try {
      message = checkPublishEvent(value, ['message'])
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      return this.error(CHAT_ERRORS.invalidMessage, err.message)
    }
    // The chat handles one message at a time, in the order they came, as from its own client.
    if (++this.pending > MAX_PENDING_MESSAGES) this.socket.pause()
    this.queue = this.queue
      .then(() => this.chat.send(message))
      .catch((err: unknown) => {
        if (err instanceof ControlMessageError) return this.error(err.spec ?? CHAT_ERRORS.invalidMessage, err.message)
        this.log.error({ err }, 'control plane: the chat failed to handle a message')
        this.error(CHAT_ERRORS.internal, 'the chat could not handle this message')
      })
      .finally(() => {
        this.pending--
        if (this.pending <= MAX_PENDING_MESSAGES && this.socket.isPaused) this.socket.resume()
      })
  }

  onBinary(): void {
    // Binary frames could only be audio, which this socket does not take.
    this.error(CONTROL_ERRORS.audioNotAllowed, 'binary frames (audio) are not accepted on a control plane connection')
  }
}

export function registerConnectSocket(
  app: FastifyInstance,
  o: { liveChats: LiveChats; sockets: SocketGuard; limits: ConnectLimits },
): void {
  // The chat found before the upgrade, for the handler (which must attach its listeners at once, so
  // it cannot look a remote chat up again).
  const found = new WeakMap<object, LiveChat>()
  app.get(
    '/v0/evi/chat/:chat_id/connect',
    {
      websocket: true,
      config: { socket: true },
      schema: { hide: true },
      // Before the upgrade, so an unknown or closed chat answers an HTTP status the client can read.
      preValidation: async (req) => {
        await o.sockets.checkAdmission(req.accountId)
        found.set(req, await connectableChat(o.liveChats, req.accountId, (req.params as { chat_id: string }).chat_id))
      },
    },
    (socket, req) => {
      const watch = o.sockets.attach(socket, req.accountId)
      if (!watch) return
      const seen = found.get(req)
      // The chat ended during the handshake (a remote chat's stand-in learns it when it subscribes).
      const chat = seen?.remote ? seen : o.liveChats.get(req.accountId, (req.params as { chat_id: string }).chat_id)
      if (!chat) return socket.close(1000, 'the chat has ended')
      // Following starts at once: a client that opens /connect and then drives the chat (POST /send)
      // sees every message from the first. What it sends waits until the socket holds its slot (on
      // several nodes a round trip to Redis); a socket refused a slot is closed, which unsubscribes it.
      const conn = new ControlConnection(socket, chat, o.limits, req.log, req.id, watch)
      let admitted = false
      void watch.admitted.then((ok) => (admitted = ok))
      socket.on('message', (data, isBinary) => {
        if (!admitted || !watch.message()) return
        if (isBinary) return conn.onBinary()
        conn.onMessage(data.toString())
      })
    },
  )
}
