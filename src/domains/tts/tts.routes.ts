import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import type { TtsEngine } from '../../shared/engines/tts-engine.js'
import { useErrorStyle } from '../../shared/http/error-handler.js'
import { validationErrorResponses } from '../../shared/http/schemas.js'
import type { Database } from '../../shared/storage/database.js'
import { CONTENT_TYPES } from './audio-encoding.js'
import { collectFile, collectReturnTts, streamFile, streamTtsOutput } from './tts.output.js'
import { ttsDb } from './tts.repo.js'
import {
  PostedTts,
  PostedVoice,
  ReturnPagedVoices,
  ReturnTts,
  ReturnVoice,
  VoicesDeleteQuery,
  VoicesListQuery,
} from './tts.schemas.js'
import { TtsService, type Plan } from './tts.service.js'
import { registerTtsSocket } from './tts.ws.js'
import { VoicesService } from './voices.service.js'

export interface TtsRouteOptions {
  db: Kysely<Database>
  engine: TtsEngine
}

const tags = ['Text-to-speech']
const Binary = { type: 'string', format: 'binary' } as const

/** An AbortSignal that fires when the client goes away before the response has finished. */
function disconnectSignal(reply: FastifyReply): AbortSignal {
  const ac = new AbortController()
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) ac.abort(new Error('client disconnected'))
  })
  return ac.signal
}

/**
 * A byte stream over a generator that is torn down with the response: a generator parked at
 * `yield` (backpressure) would otherwise never observe the abort and never release its resources.
 */
function responseStream(reply: FastifyReply, chunks: AsyncIterable<Buffer | string>): Readable {
  const stream = Readable.from(chunks, { objectMode: false })
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) stream.destroy()
  })
  return stream
}

function describe(reply: FastifyReply, plan: Plan): FastifyReply {
  // Which engine spoke, and the generation ids (the file routes have no body to carry them).
  return reply
    .header('x-prosodia-tts-engine', plan.engine)
    .header('x-generation-ids', plan.generations.map((g) => g.id).join(','))
}

/** Text-to-speech (Octave-compatible) and the TTS voice library. */
export async function ttsRoutes(app: FastifyInstance, opts: TtsRouteOptions): Promise<void> {
  const db = ttsDb(opts.db)
  const voices = new VoicesService(db)
  const tts = new TtsService(db, opts.engine, voices)
  // The TTS definition declares 422 HTTPValidationError for bad input.
  useErrorStyle(app, 'http_validation')
  const post = (response: object) => ({
    schema: { tags, body: PostedTts, response: { ...response, ...validationErrorResponses } },
  })

  app.post('/v0/tts', post({ 200: ReturnTts }), async (req, reply) => {
    const plan = await tts.plan(req.accountId, req.body as PostedTts, 'json')
    return describe(reply, plan).send(await collectReturnTts(plan, tts.render(plan, disconnectSignal(reply)), req.id))
  })

  app.post('/v0/tts/file', post({ 200: Binary }), async (req, reply) => {
    const plan = await tts.plan(req.accountId, req.body as PostedTts, 'file')
    const file = await collectFile(plan, tts.render(plan, disconnectSignal(reply)))
    return describe(reply, plan)
      .type(CONTENT_TYPES[plan.format])
      .send(Buffer.from(file.buffer, file.byteOffset, file.byteLength))
  })

  app.post('/v0/tts/stream/file', post({ 200: Binary }), async (req, reply) => {
    const plan = await tts.plan(req.accountId, req.body as PostedTts, 'stream')
    const bytes = streamFile(plan, tts.render(plan, disconnectSignal(reply)))
    return describe(reply, plan)
      .type(CONTENT_TYPES[plan.format])
      .send(responseStream(reply, toBuffers(bytes)))
  })

  app.post('/v0/tts/stream/json', post({ 200: Binary }), async (req, reply) => {
    const plan = await tts.plan(req.accountId, req.body as PostedTts, 'stream')
    const lines = streamTtsOutput(plan, tts.render(plan, disconnectSignal(reply)), req.id)
    return describe(reply, plan)
      .type('application/json')
      .send(responseStream(reply, toLines(lines)))
  })

  app.get(
    '/v0/tts/voices',
    {
      schema: { tags, querystring: VoicesListQuery, response: { 200: ReturnPagedVoices, ...validationErrorResponses } },
    },
    async (req) => voices.list(req.accountId, req.query as VoicesListQuery),
  )

  app.post(
    '/v0/tts/voices',
    { schema: { tags, body: PostedVoice, response: { 200: ReturnVoice, ...validationErrorResponses } } },
    async (req) => {
      const body = req.body as PostedVoice
      return voices.create(req.accountId, body.generation_id, body.name)
    },
  )

  app.delete(
    '/v0/tts/voices',
    {
      schema: {
        tags,
        querystring: VoicesDeleteQuery,
        response: { 200: Type.Null({ description: 'Empty body' }), ...validationErrorResponses },
      },
    },
    async (req, reply) => {
      await voices.delete(req.accountId, (req.query as { name: string }).name)
      return reply.code(200).send()
    },
  )

  registerTtsSocket(app, tts)
}

async function* toBuffers(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  for await (const c of chunks) yield Buffer.from(c.buffer, c.byteOffset, c.byteLength)
}

async function* toLines(messages: AsyncIterable<object>): AsyncGenerator<string> {
  for await (const m of messages) yield `${JSON.stringify(m)}\n`
}
