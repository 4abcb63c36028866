// /v0/tts/stream/input: text arrives in pieces; complete sentences are spoken as soon as they
// arrive, `flush` speaks whatever is buffered, `close` speaks the rest and closes. Each spoken
// batch is one generation; later batches take the first one's voice as context, so an unvoiced
// session keeps one designed voice throughout.
import { Ajv } from 'ajv'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import type { WebSocket } from 'ws'
import { toValidationIssues } from '../../shared/http/error-handler.js'
import { ApiError } from '../../shared/http/errors.js'
import { streamTtsOutput } from './tts.output.js'
import { MAX_DESCRIPTION, MAX_TEXT, PostedUtteranceVoice, type PostedTts, type PostedUtterance } from './tts.schemas.js'
import type { TtsService } from './tts.service.js'

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

const validatePublish = new Ajv({ strict: false }).compile(PublishTts)
/** Text up to the last sentence end followed by whitespace is complete and can be spoken now. */
const SENTENCE_BREAK = /[.!?…]["'”’)\]]*\s+/g
const CLOSE_POLICY = 1008

/** WebSocket close reasons are limited to 123 bytes. */
function reason(msg: string): string {
  return Buffer.from(msg).subarray(0, 120).toString()
}

class StreamSession {
  private buffer = ''
  private settings: Omit<PostedUtterance, 'text'> = {}
  private queue: Promise<void> = Promise.resolve()
  private contextId: string | undefined
  private readonly abort = new AbortController()

  constructor(
    private readonly socket: WebSocket,
    private readonly tts: TtsService,
    private readonly accountId: string,
    private readonly requestId: string,
    private readonly query: StreamQuery,
    private readonly log: FastifyBaseLogger,
  ) {
    this.contextId = query.context_generation_id
    socket.on('close', () => this.abort.abort(new Error('socket closed')))
  }

  onMessage(raw: string): void {
    let msg: unknown
    try {
      msg = JSON.parse(raw)
    } catch {
      return this.socket.close(CLOSE_POLICY, 'messages must be JSON PublishTts objects')
    }
    if (!validatePublish(msg)) {
      const issue = toValidationIssues('body', validatePublish.errors ?? [])[0]
      return this.socket.close(CLOSE_POLICY, reason(`${issue?.loc.join('.') ?? 'body'}: ${issue?.msg ?? 'invalid'}`))
    }
    const m = msg as PublishTts
    const { text, flush, close, ...settings } = m
    // Settings apply to text that arrives from now on, so speak what came before them first.
    if (Object.keys(settings).length > 0) {
      this.speak(this.take(this.buffer.length))
      this.settings = { ...this.settings, ...settings }
    }
    if (text) this.buffer += text
    if (flush || close) this.speak(this.take(this.buffer.length))
    else {
      let end = 0
      for (const b of this.buffer.matchAll(SENTENCE_BREAK)) end = (b.index ?? 0) + b[0].length
      if (end > 0) this.speak(this.take(end))
    }
    if (close) void this.queue.then(() => this.socket.close(1000, 'done'))
  }

  private take(n: number): string {
    const head = this.buffer.slice(0, n)
    this.buffer = this.buffer.slice(n)
    return head.trim()
  }

  private speak(text: string): void {
    if (!text) return
    const utterance: PostedUtterance = { ...this.settings, text }
    this.queue = this.queue.then(() => this.render(utterance)).catch((err: unknown) => this.fail(err))
  }

  private async render(utterance: PostedUtterance): Promise<void> {
    if (this.abort.signal.aborted) return
    const q = this.query
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
    const plan = await this.tts.plan(this.accountId, body, 'stream')
    this.contextId ??= plan.generations[0]?.id
    // The SDK's socket parses every frame as JSON, so binary audio frames are opt-in (no_binary=false).
    const binary = q.no_binary === 'false'
    for await (const out of streamTtsOutput(plan, this.tts.render(plan, this.abort.signal), this.requestId)) {
      if (this.socket.readyState !== this.socket.OPEN) return
      this.socket.send(JSON.stringify(out))
      if (binary && out.type === 'audio') this.socket.send(Buffer.from(out.audio, 'base64'))
    }
  }

  private fail(err: unknown): void {
    if (this.abort.signal.aborted) return
    if (err instanceof ApiError) {
      const issue = err.issues?.[0]
      this.socket.close(CLOSE_POLICY, reason(issue ? `${issue.loc.join('.')}: ${issue.msg}` : err.message))
      return
    }
    this.log.error({ err }, 'tts stream synthesis failed')
    this.socket.close(1011, 'synthesis failed')
  }
}

export function registerTtsSocket(app: FastifyInstance, tts: TtsService): void {
  app.get(
    '/v0/tts/stream/input',
    { websocket: true, schema: { hide: true, querystring: StreamQuery } },
    (socket, req) => {
      const session = new StreamSession(socket, tts, req.accountId, req.id, req.query as StreamQuery, req.log)
      socket.on('message', (data, isBinary) => {
        if (isBinary) return socket.close(CLOSE_POLICY, 'binary input is not supported')
        session.onMessage(data.toString())
      })
    },
  )
}
