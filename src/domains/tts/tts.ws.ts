// /v0/tts/stream/input: text arrives in pieces; complete sentences are spoken as soon as they
// arrive, `flush` speaks whatever is buffered, `close` speaks the rest and closes. Each spoken
// batch is one generation; later batches take the first one's voice as context, so an unvoiced
// session keeps one designed voice throughout. Bounds: a batch never exceeds MAX_TEXT characters
// (a long run without a sentence end is cut at a word boundary), and while more than
// `pendingChars` wait to be spoken the socket stops reading (TCP backpressure on the client).
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import type { WebSocket } from 'ws'
import { ApiError } from '../../shared/http/errors.js'
import { parseClientJson } from '../../shared/http/json.js'
import { CLOSE_POLICY, type SocketGuard, type SocketWatch } from '../../shared/http/sockets.js'
import { compileBodyCheck } from '../../shared/http/validation.js'
import { MAX_DESCRIPTION, MAX_TEXT, PostedUtteranceVoice, type PostedTts, type PostedUtterance } from './tts.schemas.js'
import { speechChars, type TtsService } from './tts.service.js'
import type { Synthesizer } from './tts.synthesizer.js'

const PublishTts = Type.Object({
  text: Type.Optional(Type.String({ maxLength: MAX_TEXT })),
  description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION })),
  voice: Type.Optional(PostedUtteranceVoice),
  speed: Type.Optional(Type.Number({ minimum: 0.25, maximum: 3 })),
  trailing_silence: Type.Optional(Type.Number({ minimum: 0, maximum: 5 })),
  flush: Type.Optional(Type.Boolean()),
  close: Type.Optional(Type.Boolean()),
})
type PublishTts = Static<typeof PublishTts>

const Bool = Type.Union([Type.Literal('true'), Type.Literal('false')])
const StreamQuery = Type.Object({
  context_generation_id: Type.Optional(Type.String({ maxLength: 64 })),
  format_type: Type.Optional(Type.Union([Type.Literal('mp3'), Type.Literal('pcm'), Type.Literal('wav')])),
  include_timestamp_types: Type.Optional(
    Type.Union([
      Type.Array(Type.Union([Type.Literal('word'), Type.Literal('phoneme')])),
      Type.Literal('word'),
      Type.Literal('phoneme'),
    ]),
  ),
  instant_mode: Type.Optional(Bool),
  no_binary: Type.Optional(Bool),
  strip_headers: Type.Optional(Bool),
  version: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('2')])),
})
type StreamQuery = Static<typeof StreamQuery>

const checkPublish = compileBodyCheck(PublishTts, ['message'])
/** Text up to the last sentence end followed by whitespace is complete and can be spoken now. */
const SENTENCE_BREAK = /[.!?…]["'”’)\]]*\s+/g

export interface StreamInputLimits {
  jsonDepth: number
  /** Characters (trailing silence included) accepted but not yet spoken before the socket stops reading. */
  pendingChars: number
  /** Output the client has not read before synthesis waits for it (PROSODIA_WS_MAX_BUFFERED_BYTES). */
  bufferedBytes: number
  /** How long synthesis waits for a client that reads nothing before closing its socket. */
  stallMs: number
}

/** WebSocket close reasons are limited to 123 bytes. */
function reason(msg: string): string {
  return Buffer.from(msg).subarray(0, 120).toString()
}

/** Where a batch of at most `max` characters can end: the last whitespace in it, else `max`. */
export function cutPoint(text: string, max: number): number {
  if (text.length <= max) return text.length
  const space = text.lastIndexOf(' ', max)
  return space > max / 2 ? space + 1 : max
}

interface SessionDeps {
  socket: WebSocket
  tts: TtsService
  synth: Synthesizer
  watch: SocketWatch
  limits: StreamInputLimits
  accountId: string
  requestId: string
  query: StreamQuery
  log: FastifyBaseLogger
}

class StreamSession {
  private buffer = ''
  private settings: Omit<PostedUtterance, 'text'> = {}
  private queue: Promise<void> = Promise.resolve()
  private pending = 0
  private contextId: string | undefined
  private readonly abort = new AbortController()

  constructor(private readonly d: SessionDeps) {
    this.contextId = d.query.context_generation_id
    d.socket.on('close', () => this.abort.abort(new Error('socket closed')))
  }

  onMessage(raw: string): void {
    let m: PublishTts
    try {
      m = checkPublish(parseClientJson(raw, this.d.limits.jsonDepth, ['message']))
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      const issue = err.issues?.[0]
      return this.d.socket.close(CLOSE_POLICY, reason(issue ? `${issue.loc.join('.')}: ${issue.msg}` : err.message))
    }
    const { text, flush, close, ...settings } = m
    // Settings apply to text that arrives from now on, so speak what came before them first.
    if (Object.keys(settings).length > 0) {
      this.speakAll()
      this.settings = { ...this.settings, ...settings }
    }
    if (text) this.buffer += text
    if (flush || close) this.speakAll()
    else {
      let end = 0
      for (const b of this.buffer.matchAll(SENTENCE_BREAK)) end = (b.index ?? 0) + b[0].length
      if (end > 0) this.speak(this.take(end))
      // No sentence end in sight: a run longer than one generation may hold is spoken in parts.
      while (this.buffer.length > MAX_TEXT) this.speak(this.take(cutPoint(this.buffer, MAX_TEXT)))
    }
    if (close) void this.queue.then(() => this.d.socket.close(1000, 'done'))
  }

  private speakAll(): void {
    while (this.buffer.length > 0) this.speak(this.take(cutPoint(this.buffer, MAX_TEXT)))
  }

  private take(n: number): string {
    const head = this.buffer.slice(0, n)
    this.buffer = this.buffer.slice(n)
    return head.trim()
  }

  private speak(text: string): void {
    if (!text) return
    const utterance: PostedUtterance = { ...this.settings, text }
    const cost = speechChars([utterance])
    this.pending += cost
    if (this.pending > this.d.limits.pendingChars) this.d.socket.pause()
    const work = this.queue.then(() => this.render(utterance))
    this.queue = this.d.watch
      .busy(work)
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.pending -= cost
        if (this.pending <= this.d.limits.pendingChars && this.d.socket.isPaused) this.d.socket.resume()
      })
  }

  private async render(utterance: PostedUtterance): Promise<void> {
    if (this.abort.signal.aborted) return
    const { query: q, socket } = this.d
    const types = q.include_timestamp_types
    const body: PostedTts = {
      utterances: [utterance],
      ...(this.contextId ? { context: { generation_id: this.contextId } } : {}),
      format: { type: q.format_type ?? 'mp3' },
      strip_headers: q.strip_headers === 'true',
      ...(q.instant_mode ? { instant_mode: q.instant_mode === 'true' } : {}),
      ...(types ? { include_timestamp_types: Array.isArray(types) ? types : [types] } : {}),
      ...(q.version ? { version: q.version } : {}),
    }
    const plan = await this.d.tts.plan(this.d.accountId, body, 'stream')
    this.contextId ??= plan.generations[0]?.id
    // The SDK's socket parses every frame as JSON, so binary audio frames are opt-in (no_binary=false).
    const binary = q.no_binary === 'false'
    const messages = this.d.synth.run(plan, 'socket', {
      requestId: this.d.requestId,
      signal: this.abort.signal,
      binary,
    })
    for await (const m of messages) {
      if (socket.readyState !== socket.OPEN) return
      socket.send('text' in m ? m.text : m.bytes)
      if (socket.bufferedAmount > this.d.limits.bufferedBytes) await this.drained()
    }
  }

  /**
   * Waits while the client has not read what was sent (synthesis pauses with it); a client that
   * reads nothing for `stallMs` is closed, so unread audio cannot pile up in the server.
   */
  private async drained(): Promise<void> {
    const { socket, limits } = this.d
    const deadline = Date.now() + limits.stallMs
    while (socket.readyState === socket.OPEN && socket.bufferedAmount > limits.bufferedBytes / 2) {
      if (Date.now() > deadline) {
        socket.close(CLOSE_POLICY, 'the client is not reading its audio')
        return
      }
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  private fail(err: unknown): void {
    if (this.abort.signal.aborted) return
    if (err instanceof ApiError) {
      const issue = err.issues?.[0]
      this.d.socket.close(CLOSE_POLICY, reason(issue ? `${issue.loc.join('.')}: ${issue.msg}` : err.message))
      return
    }
    this.d.log.error({ err }, 'tts stream synthesis failed')
    this.d.socket.close(1011, 'synthesis failed')
  }
}

export function registerTtsSocket(
  app: FastifyInstance,
  o: { tts: TtsService; synth: Synthesizer; sockets: SocketGuard; limits: StreamInputLimits },
): void {
  app.get(
    '/v0/tts/stream/input',
    {
      websocket: true,
      config: { socket: true },
      schema: { hide: true, querystring: StreamQuery },
      preValidation: async (req) => o.sockets.checkAdmission(req.accountId),
    },
    (socket, req) => {
      const watch = o.sockets.attach(socket, req.accountId)
      if (!watch) return
      const session = new StreamSession({
        socket,
        tts: o.tts,
        synth: o.synth,
        watch,
        limits: o.limits,
        accountId: req.accountId,
        requestId: req.id,
        query: req.query as StreamQuery,
        log: req.log,
      })
      socket.on('message', (data, isBinary) => {
        if (!watch.message()) return
        if (isBinary) return socket.close(CLOSE_POLICY, 'binary input is not supported')
        session.onMessage(data.toString())
      })
    },
  )
}
