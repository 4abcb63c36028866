/**
 * One /v0/stream/models socket. Payloads are answered one at a time, in the order they came, with
 * exactly one message each: hume@0.15.17's StreamSocket pairs each payload with the next message
 * it receives, so an extra or missing answer would shift every later one. A bad payload gets a
 * coded error and the socket stays open.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { WebSocket } from 'ws'
import { ApiError } from '../../../shared/http/errors.js'
import { parseClientJson } from '../../../shared/http/json.js'
import { CLOSE_POLICY, type SocketWatch } from '../../../shared/http/sockets.js'
import { compileBodyCheck } from '../../../shared/http/validation.js'
import { PoolBusyError } from '../../../shared/workers/pool.js'
import type { StreamContext } from './stream.analyze.js'
import { streamFailures, StreamFailure } from './stream.codes.js'
import { noKnownFaces } from './stream.identity.js'
import { toMessage, type Envelope } from './stream.messages.js'
import { STREAM_WINDOW_MS, StreamPayload, type StreamModels, type StreamOutcome } from './stream.schemas.js'
import { resolveSelection } from './stream.selection.js'
import type { StreamService } from './stream.service.js'

const checkPayload = compileBodyCheck(StreamPayload, [])

/**
 * Payloads accepted but not yet answered before the socket stops reading (TCP back-pressure on
 * the client): bounds a socket's memory to this many messages of PROSODIA_WS_MAX_MESSAGE_BYTES.
 */
export const MAX_PENDING_PAYLOADS = 4

export interface StreamSessionLimits {
  jsonDepth: number
  /** Answers the client has not read before the next payload waits (PROSODIA_WS_MAX_BUFFERED_BYTES). */
  bufferedBytes: number
  /** How long a client may leave its answers unread before its socket is closed. */
  stallMs: number
}

export interface StreamSessionDeps {
  socket: WebSocket
  watch: SocketWatch
  service: StreamService
  limits: StreamSessionLimits
  log: FastifyBaseLogger
}

const emptyContext = (): StreamContext => ({ audio: new Float32Array(0), faces: noKnownFaces() })

export class StreamSession {
  private readonly jobId: string
  private models: StreamModels | undefined
  private windowMs: number = STREAM_WINDOW_MS.default
  private context = emptyContext()
  private queue: Promise<void> = Promise.resolve()
  private pending = 0
  private readonly abort = new AbortController()

  constructor(private readonly d: StreamSessionDeps) {
    this.jobId = d.service.newJobId()
    d.socket.on('close', () => this.abort.abort(new Error('socket closed')))
  }

  onMessage(raw: string): void {
    if (++this.pending > MAX_PENDING_PAYLOADS) this.d.socket.pause()
    const work = this.queue.then(() => this.answer(raw))
    this.queue = this.d.watch
      .busy(work)
      .catch((err: unknown) => this.d.log.error({ err }, 'expression stream: answering a payload failed'))
      .finally(() => {
        this.pending--
        if (this.pending <= MAX_PENDING_PAYLOADS && this.d.socket.isPaused) this.d.socket.resume()
      })
  }

  private async answer(raw: string): Promise<void> {
    if (this.abort.signal.aborted) return
    await this.drained()
    const envelope: Envelope = {}
    let text: string
    try {
      const value = this.parse(raw)
      // The payload's id and job_details are echoed even when the rest of it is invalid.
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const v = value as Record<string, unknown>
        if (typeof v.payload_id === 'string') envelope.payload_id = v.payload_id
        if (v.job_details === true) envelope.job_details = { job_id: this.jobId }
      }
      text = await this.run(this.check(value), envelope)
    } catch (err) {
      if (this.abort.signal.aborted) return
      text = JSON.stringify(toMessage(this.failure(err), envelope))
    }
    if (this.d.socket.readyState === this.d.socket.OPEN) this.d.socket.send(text)
  }

  private parse(raw: string): unknown {
    try {
      return parseClientJson(raw, this.d.limits.jsonDepth, ['payload'])
    } catch (err) {
      if (err instanceof ApiError) throw streamFailures.invalidJson(err.issues?.[0]?.msg ?? err.message)
      throw err
    }
  }

  private check(value: unknown): StreamPayload {
    try {
      return checkPayload(value)
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      const issues = err.issues ?? []
      const detail = issues.map((i) => (i.loc.length > 0 ? `${i.loc.join('.')}: ${i.msg}` : i.msg)).join('; ')
      throw streamFailures.invalidPayload(detail || err.message)
    }
  }

  /** Applies the payload's settings, then analyses its data on a worker thread: the answer's JSON. */
  private async run(p: StreamPayload, envelope: Envelope): Promise<string> {
    // reset_stream forgets the audio carried between payloads. Face identities stay: "a single
    // face identifier cache is maintained over a full session whether reset_stream is used or not".
    if (p.reset_stream) this.context.audio = new Float32Array(0)
    if (p.models != null) this.models = p.models
    if (p.stream_window_ms != null) this.windowMs = p.stream_window_ms
    if (p.data == null) {
      // A payload of settings only (the SDK's reset() and getJobDetails()) is acknowledged.
      if (p.job_details || p.reset_stream || p.models != null || p.stream_window_ms != null)
        return JSON.stringify(toMessage({ kind: 'predictions', models: {} }, envelope))
      throw streamFailures.invalidPayload('data is required')
    }
    if (!this.models) throw streamFailures.invalidPayload('models is required: no model was configured on this socket')
    const sel = resolveSelection(this.models)
    const result = await this.d.service.analyze(
      { data: p.data, rawText: p.raw_text ?? false, sel, windowMs: this.windowMs, context: this.context, envelope },
      this.abort.signal,
    )
    this.context = result.context
    return result.message
  }

  private failure(err: unknown): StreamOutcome {
    if (err instanceof StreamFailure) return { kind: 'error', code: err.code, error: err.message }
    if (err instanceof PoolBusyError) {
      return { kind: 'error', ...codeOf(streamFailures.internal('the server is busy; send the payload again later')) }
    }
    this.d.log.error({ err }, 'expression stream: a payload failed on the server')
    return { kind: 'error', ...codeOf(streamFailures.internal()) }
  }

  /**
   * Waits while the client has not read earlier answers; one that reads nothing for `stallMs` is
   * closed, so unread predictions cannot pile up in the server.
   */
  private async drained(): Promise<void> {
    const { socket, limits } = this.d
    const deadline = Date.now() + limits.stallMs
    while (socket.readyState === socket.OPEN && socket.bufferedAmount > limits.bufferedBytes) {
      if (Date.now() > deadline) {
        socket.close(CLOSE_POLICY, 'the client is not reading its answers')
        return
      }
      await new Promise((r) => setTimeout(r, 25))
    }
  }
}

const codeOf = (f: StreamFailure) => ({ code: f.code, error: f.message })
