import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { SlotsFactory } from '../../../shared/cluster/slots.js'
import { AccountGate } from '../../../shared/http/account-gate.js'
import { useErrorStyle } from '../../../shared/http/error-handler.js'
import { disconnectSignal, responseStream } from '../../../shared/http/streaming-reply.js'
import { CONTENT_TYPES } from '../audio-encoding.js'
import type { SynthesisMessage } from '../tts.tasks.js'
import type { TtsService } from '../tts.service.js'
import type { Synthesizer } from '../tts.synthesizer.js'
import type { VoicesService } from '../voices.service.js'
import { PCM_RATE, toSpeechRequest } from './speech.request.js'
import { openAiErrorResponses, PostedSpeech } from './speech.schemas.js'
import { SPEECH_TASK, type SpeechTaskInput } from './speech.task.js'
import { resolveSpeechVoice } from './speech.voices.js'

export interface OpenAiSpeechOptions {
  tts: TtsService
  synth: Synthesizer
  voices: VoicesService
  /** PROSODIA_TTS_MAX_REQUEST_CHARS. */
  maxRequestChars: number
  /** PROSODIA_TTS_MAX_CONCURRENT_PER_ACCOUNT. */
  concurrentPerAccount: number
  /** Where that count is kept (default: this process; with REDIS_URL, shared by every node). */
  slots?: SlotsFactory
}

/** An audio body (a stream): described for OpenAPI, never serialised. */
const Binary = Type.Unsafe<Readable>({ type: 'string', format: 'binary' })

const SPEECH_MODELS = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts']

const ModelList = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(
    Type.Object({ id: Type.String(), object: Type.Literal('model'), created: Type.Integer(), owned_by: Type.String() }),
  ),
})

/** The worker's messages as response pieces (audio bytes or SSE text). */
async function* pieces(messages: AsyncIterable<SynthesisMessage>): AsyncGenerator<Buffer | string> {
  for await (const m of messages)
    yield 'bytes' in m ? Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength) : m.text
}

/** OpenAI-compatible `POST /v1/audio/speech`, on the same engine, voices and limits as Octave TTS. */
export const openAiSpeechRoutes: FastifyPluginAsyncTypebox<OpenAiSpeechOptions> = async (app, opts) => {
  const { tts, synth, voices } = opts
  const gate = new AccountGate(
    opts.concurrentPerAccount,
    'PROSODIA_TTS_MAX_CONCURRENT_PER_ACCOUNT',
    opts.slots?.('openai-speech', opts.concurrentPerAccount),
  )
  useErrorStyle(app, 'openai')
  app.addHook('onRoute', (route) => {
    route.config = { bearerApiKey: true, ...route.config }
  })

  // Tools built on the openai SDK probe this before speaking; any model name is accepted by /v1/audio/speech
  // (all run the same engine), these are the ones OpenAI's clients offer.
  app.get(
    '/v1/models',
    { schema: { tags: ['OpenAI-compatible'], response: { 200: ModelList, ...openAiErrorResponses } } },
    async () => ({
      object: 'list' as const,
      data: SPEECH_MODELS.map((id) => ({ id, object: 'model' as const, created: 0, owned_by: 'prosodia' })),
    }),
  )

  app.post(
    '/v1/audio/speech',
    {
      schema: { tags: ['OpenAI-compatible'], body: PostedSpeech, response: { 200: Binary, ...openAiErrorResponses } },
    },
    async (req, reply) => {
      await gate.hold(req.accountId, reply.raw)
      const voice = await resolveSpeechVoice(voices, req.accountId, req.body.voice)
      const speech = toSpeechRequest(req.body, voice, { maxRequestChars: opts.maxRequestChars })
      const plan = await tts.plan(req.accountId, speech.posted, 'stream')
      const outputRate = speech.format === 'pcm' ? PCM_RATE : plan.sampleRate
      const input: SpeechTaskInput = { plan, outputRate, sse: speech.sse, inputChars: req.body.input.length }
      const messages = synth.task<SynthesisMessage>(SPEECH_TASK, input, disconnectSignal(reply))
      return reply
        .header('x-prosodia-tts-engine', plan.engine)
        .header('x-generation-ids', plan.generations.map((g) => g.id).join(','))
        .header('x-prosodia-sample-rate', String(outputRate))
        .header('x-prosodia-speed', String(speech.speed))
        .type(speech.sse ? 'text/event-stream' : CONTENT_TYPES[speech.format])
        .send(responseStream(reply, pieces(messages)))
    },
  )
}
