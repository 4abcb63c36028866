import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { disconnectSignal, responseStream } from '../../shared/http/streaming-reply.js'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { useErrorStyle } from '../../shared/http/error-handler.js'
import { EmptyBody, validationErrorResponses } from '../../shared/http/schemas.js'
import { AccountGate } from '../../shared/http/account-gate.js'
import type { SocketGuard } from '../../shared/http/sockets.js'
import type { SlotsFactory } from '../../shared/cluster/slots.js'
import { CONTENT_TYPES } from './audio-encoding.js'
import type { Plan } from './tts.plan.js'
import {
  PostedTts,
  PostedVoice,
  ReturnPagedVoices,
  ReturnTts,
  ReturnVoice,
  VoicesDeleteQuery,
  VoicesListQuery,
} from './tts.schemas.js'
import type { TtsService } from './tts.service.js'
import type { Synthesizer } from './tts.synthesizer.js'
import { registerTtsSocket, type StreamInputLimits } from './tts.ws.js'
import type { VoicesService } from './voices.service.js'

export interface TtsRouteOptions {
  tts: TtsService
  synth: Synthesizer
  voices: VoicesService
  sockets: SocketGuard
  streamInput: StreamInputLimits
  /** TTS requests one account may have in flight (PROSODIA_TTS_MAX_CONCURRENT_PER_ACCOUNT). */
  concurrentPerAccount: number
  /** Where that count is kept (default: this process; with REDIS_URL, shared by every node). */
  slots?: SlotsFactory
}

const tags = ['Text-to-speech']
const Binary = { type: 'string', format: 'binary' } as const

function describe(reply: FastifyReply, plan: Plan): FastifyReply {
  // Which engine spoke, and the generation ids (the file routes have no body to carry them).
  return reply
    .header('x-prosodia-tts-engine', plan.engine)
    .header('x-generation-ids', plan.generations.map((g) => g.id).join(','))
}

/** Text-to-speech (Octave-compatible) and the TTS voice library. */
export const ttsRoutes: FastifyPluginAsyncTypebox<TtsRouteOptions> = async (app, opts) => {
  const { tts, synth, voices } = opts
  const gate = new AccountGate(
    opts.concurrentPerAccount,
    'PROSODIA_TTS_MAX_CONCURRENT_PER_ACCOUNT',
    opts.slots?.('tts', opts.concurrentPerAccount),
  )
  // The TTS definition declares 422 HTTPValidationError for bad input.
  useErrorStyle(app, 'http_validation')
  const post = (response: object) => ({
    schema: {
      tags,
      body: PostedTts,
      response: { ...response, 503: Type.Ref('ErrorResponse'), ...validationErrorResponses },
    },
  })

  app.post('/v0/tts', post({ 200: ReturnTts }), async (req, reply) => {
    await gate.hold(req.accountId, reply.raw)
    const plan = await tts.plan(req.accountId, req.body, 'json')
    const body = await synth.json(plan, req.id, disconnectSignal(reply))
    // Serialised in the worker thread; a string with a JSON content type is sent as it is.
    return describe(reply, plan).type('application/json; charset=utf-8').send(body)
  })

  app.post('/v0/tts/file', post({ 200: Binary }), async (req, reply) => {
    await gate.hold(req.accountId, reply.raw)
    const plan = await tts.plan(req.accountId, req.body, 'file')
    const file = await synth.file(plan, disconnectSignal(reply))
    return describe(reply, plan)
      .type(CONTENT_TYPES[plan.format])
      .send(Buffer.from(file.buffer, file.byteOffset, file.byteLength))
  })

  app.post('/v0/tts/stream/file', post({ 200: Binary }), async (req, reply) => {
    await gate.hold(req.accountId, reply.raw)
    const plan = await tts.plan(req.accountId, req.body, 'stream')
    const bytes = synth.streamFile(plan, disconnectSignal(reply))
    return describe(reply, plan).type(CONTENT_TYPES[plan.format]).send(responseStream(reply, bytes))
  })

  app.post('/v0/tts/stream/json', post({ 200: Binary }), async (req, reply) => {
    await gate.hold(req.accountId, reply.raw)
    const plan = await tts.plan(req.accountId, req.body, 'stream')
    const lines = synth.streamJson(plan, req.id, disconnectSignal(reply))
    return describe(reply, plan).type('application/json').send(responseStream(reply, lines))
  })

  app.get(
    '/v0/tts/voices',
    {
      schema: { tags, querystring: VoicesListQuery, response: { 200: ReturnPagedVoices, ...validationErrorResponses } },
    },
    async (req) => voices.list(req.accountId, req.query),
  )

  app.post(
    '/v0/tts/voices',
    { schema: { tags, body: PostedVoice, response: { 200: ReturnVoice, ...validationErrorResponses } } },
    async (req) => voices.create(req.accountId, req.body.generation_id, req.body.name),
  )

  app.delete(
    '/v0/tts/voices',
    { schema: { tags, querystring: VoicesDeleteQuery, response: { 200: EmptyBody, ...validationErrorResponses } } },
    async (req, reply) => {
      await voices.delete(req.accountId, req.query.name)
      return reply.code(200).send()
    },
  )

  registerTtsSocket(app, { tts, synth, sockets: opts.sockets, limits: opts.streamInput })
}
