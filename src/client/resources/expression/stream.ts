import { ProsodiaError } from '../../core/errors.js'
import type { HttpClient } from '../../core/http.js'
import { ProsodiaSocket, socketUrl, webSocketImpl } from '../../core/socket.js'
import type {
  StreamConfig,
  StreamErrorMessage,
  StreamPayload,
  StreamPredictionsMessage,
  StreamServerMessage,
  StreamWarningMessage,
} from '../../types/expression.js'
import { bytesToBase64, textToBase64, toBytes } from '../../core/base64.js'

/**
 * What a payload is answered with when it does not fail: predictions, or a warning (`{ warning, code }`, the
 * model found nothing to measure). One type for both, since a warning is a message with no predictions.
 */
export type StreamAnswer = StreamPredictionsMessage & Partial<Pick<StreamWarningMessage, 'warning' | 'code'>>

/** The server answered a payload with `{ error, code }` (e.g. E0101 invalid payload); the socket stays open. */
export class StreamError extends ProsodiaError {
  /** Hume's streaming code, e.g. `E0101`. */
  readonly code: string
  /** The server's whole error message (camelCased). */
  readonly answer: StreamErrorMessage

  constructor(answer: StreamErrorMessage) {
    super({ message: `CODE ${answer.code}: ${answer.error}` })
    this.code = answer.code
    this.answer = answer
  }
}

export interface StreamConnectArgs {
  /** The models to run (`{ language: {} }`, `{ face: {} }`, …); sent with every payload until a call replaces it. */
  config?: StreamConfig
  /** The sliding window for audio and video context, 500–10,000 ms (server default 5,000). */
  streamWindowMs?: number
  onOpen?: () => void
  /** Every message the server sends (predictions, warnings and errors). */
  onMessage?: (message: StreamServerMessage) => void
  /** Error messages from the server, and failures of the socket itself. */
  onError?: (error: StreamErrorMessage | Error) => void
  onClose?: (event: { code: number; reason: string }) => void
}

type Pending = { resolve: (m: StreamAnswer) => void; reject: (e: Error) => void }

/**
 * `client.expressionMeasurement.stream.connect(…)`: the `/v0/stream/models` socket, as hume-legacy's
 * `StreamSocket` (`sendText`, `sendFile`, `sendFacemesh`, `reset`, `getJobDetails`, `close`), on the client's
 * own server. The server answers each payload with exactly one message, in order, so each call resolves with
 * the answer to its own payload (and rejects with a `StreamError` when that answer is an error).
 */
export class StreamSocket {
  private config: StreamConfig | undefined
  private readonly streamWindowMs: number | undefined
  private readonly ready: Promise<ProsodiaSocket<StreamPayload, StreamServerMessage>>
  private socket: ProsodiaSocket<StreamPayload, StreamServerMessage> | undefined
  private readonly pending: Pending[] = []
  private closeAsked: { code: number; reason?: string } | undefined
  private closing = false

  constructor(http: HttpClient, args: StreamConnectArgs = {}) {
    this.config = args.config
    this.streamWindowMs = args.streamWindowMs
    // Asked now so that a runtime without WebSocket fails at connect(), not at the first send.
    const WebSocketImpl = webSocketImpl(http)
    this.ready = socketUrl(http, '/v0/stream/models').then((url) => {
      const socket = new ProsodiaSocket<StreamPayload, StreamServerMessage>(url, WebSocketImpl)
      this.socket = socket
      socket.on('open', () => args.onOpen?.())
      socket.on('message', (message) => this.onMessage(message, args))
      socket.on('error', (error) => args.onError?.(error))
      socket.on('close', (event) => {
        const closed = new ProsodiaError({
          message: `The stream socket closed (code ${event.code}${event.reason ? `: ${event.reason}` : ''})`,
        })
        for (const p of this.pending.splice(0)) p.reject(closed)
        args.onClose?.(event)
      })
      if (this.closeAsked) socket.close(this.closeAsked.code, this.closeAsked.reason)
      return socket
    })
    // Callers learn of a failed connection from waitForOpen() or their next send; never unhandled.
    this.ready.catch(() => undefined)
  }

  /** The WebSocket's readyState (0 while connecting). */
  get readyState(): number {
    return this.socket?.readyState ?? 0
  }

  /** Resolves once connected; rejects if the socket closes first (a wrong key, too many sockets). */
  async waitForOpen(): Promise<this> {
    this.assertNotClosed()
    try {
      await (await this.ready).waitForOpen()
    } catch (err) {
      // Closed by close() while connecting: say so, rather than "closed before it opened".
      this.assertNotClosed()
      throw err
    }
    return this
  }

  /** Measures text with the language model; `config` replaces the socket's models for this and later payloads. */
  sendText({ text, config }: { text: string; config?: StreamConfig }): Promise<StreamAnswer> {
    if (config != null) this.config = config
    return this.sendPayload(this.withModels({ data: text, rawText: true }))
  }

  /** Measures a media file (image, audio, video) sent base64-encoded: a `Blob`/`File`, bytes or an ArrayBuffer. */
  async sendFile({
    file,
    config,
  }: {
    file: Blob | ArrayBuffer | ArrayBufferView
    config?: StreamConfig
  }): Promise<StreamAnswer> {
    if (config != null) this.config = config
    // The models as of this call, even if another call changes them while the file is read.
    const payload = this.withModels({ rawText: false })
    return this.sendPayload({ ...payload, data: bytesToBase64(await toBytes(file)) })
  }

  /**
   * Sends MediaPipe facemesh landmarks, `(faces, 478, 3)`, as hume-legacy does (base64 JSON). This server
   * has no facemesh model: it answers E0102, which rejects with a `StreamError`.
   */
  sendFacemesh({ landmarks, config }: { landmarks: number[][][]; config?: StreamConfig }): Promise<StreamAnswer> {
    return this.sendText({ text: textToBase64(JSON.stringify(landmarks)), config })
  }

  /** Forgets the audio carried between payloads, so the next media starts without context. */
  reset(): Promise<StreamAnswer> {
    return this.sendPayload({ resetStream: true })
  }

  /** Asks for the connection's job id: the answer's `jobDetails.jobId`. */
  getJobDetails(): Promise<StreamAnswer> {
    return this.sendPayload({ jobDetails: true })
  }

  /** Sends any payload (a `payloadId` is added when missing) and resolves with its answer. */
  async sendPayload(payload: StreamPayload): Promise<StreamAnswer> {
    await this.waitForOpen()
    // close() may have been called while this call waited for the connection.
    this.assertNotClosed()
    const socket = this.socket as ProsodiaSocket<StreamPayload, StreamServerMessage>
    return new Promise<StreamAnswer>((resolve, reject) => {
      const entry = { resolve, reject }
      this.pending.push(entry)
      try {
        socket.sendJson({ payloadId: newPayloadId(), ...payload })
      } catch (err) {
        this.pending.splice(this.pending.indexOf(entry), 1)
        reject(err as Error)
      }
    })
  }

  /** Closes the socket; payloads still unanswered reject. */
  close(code = 1000, reason?: string): void {
    const closing = new ProsodiaError({ message: 'The stream socket closed (by the client) before the answer came' })
    for (const p of this.pending.splice(0)) p.reject(closing)
    this.closing = true
    if (this.socket) this.socket.close(code, reason)
    else this.closeAsked = { code, ...(reason === undefined ? {} : { reason }) }
  }

  /** Resolves when the socket has closed. */
  async closed(): Promise<{ code: number; reason: string }> {
    return (await this.ready).closed()
  }

  private assertNotClosed(): void {
    if (this.closing) throw new ProsodiaError({ message: 'The stream socket is closed (close() was called)' })
  }

  private withModels(payload: StreamPayload): StreamPayload {
    return {
      ...payload,
      ...(this.config == null ? {} : { models: this.config }),
      ...(this.streamWindowMs == null ? {} : { streamWindowMs: this.streamWindowMs }),
    }
  }

  private onMessage(message: StreamServerMessage, args: StreamConnectArgs): void {
    args.onMessage?.(message)
    const failed = isError(message)
    if (failed) args.onError?.(message)
    const next = this.pending.shift()
    if (!next) return
    if (failed) next.reject(new StreamError(message))
    else next.resolve(message)
  }
}

function isError(message: StreamServerMessage): message is StreamErrorMessage {
  return typeof (message as { error?: unknown }).error === 'string'
}

function newPayloadId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto
  // randomUUID exists only in secure contexts in browsers; the id only pairs answers for the caller.
  if (c?.randomUUID) return c.randomUUID()
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
}

/** `client.expressionMeasurement.stream`: the streaming socket at `{baseUrl}/v0/stream/models`. */
export class StreamClient {
  constructor(private readonly http: HttpClient) {}

  /**
   * Opens `/v0/stream/models` on the client's server (ws:// or wss:// from `baseUrl`, the key in the query).
   * Returns at once; calls wait for the connection (or `await socket.waitForOpen()`).
   */
  connect(args: StreamConnectArgs = {}): StreamSocket {
    return new StreamSocket(this.http, args)
  }
}
