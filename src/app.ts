import { randomUUID } from 'node:crypto'
import swagger from '@fastify/swagger'
import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'
import { eviRoutes } from './domains/evi/evi.routes.js'
import { ttsRoutes } from './domains/tts/tts.routes.js'
import { expressionRoutes } from './domains/expression/batch.routes.js'
import type { BatchTuning } from './domains/expression/batch.runtime.js'
import {
  BASE_VOICE_PRESETS,
  customVoiceLookup,
  firstOf,
  presetVoiceLookup,
  type VoiceLookup,
} from './domains/evi/voice-lookup.js'
import { AccountService } from './shared/auth/accounts.service.js'
import { selectTtsEngine } from './shared/engines/tts-engine-select.js'
import { installAuth } from './shared/http/auth.js'
import { installErrorHandling } from './shared/http/error-handler.js'
import { ErrorResponse, HTTPValidationError } from './shared/http/schemas.js'
import { registerSystemRoutes, type HealthContributor } from './shared/http/system.routes.js'
import { installValidation } from './shared/http/validation.js'
import type { Db } from './shared/storage/db.js'
import { ttsVoiceLookup } from './voice-library.js'

export const VERSION = '0.1.0'

export interface AppDeps {
  config: Config
  db: Db
  /** A pino logger options object, `false` to silence, or omitted for the config's level. */
  logger?: FastifyServerOptions['logger']
  health?: HealthContributor[]
  /** Extra voices a config may name (e.g. the TTS voice library), tried after EVI's own. */
  voiceLookups?: VoiceLookup[]
  /** Expression batch worker settings (threads, lease, input limits); defaults suit production. */
  expression?: BatchTuning
}

const REQUEST_ID = /^[\w.-]{1,128}$/

/** Builds the whole HTTP API. No listen(), no globals: tests call this and use inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, db } = deps
  const app = Fastify({
    logger: deps.logger ?? {
      level: config.logLevel,
      redact: ['req.headers["x-hume-api-key"]', 'req.headers.authorization'],
      serializers: {
        // Sockets carry credentials in the query string; keep them out of the logs.
        req: (req) => ({ method: req.method, url: req.url.replace(/(api_key|access_token)=[^&]*/g, '$1=[redacted]') }),
      },
    },
    bodyLimit: config.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
  })
  app.addSchema(ErrorResponse)
  app.addSchema(HTTPValidationError)
  installValidation(app, [ErrorResponse, HTTPValidationError])
  installErrorHandling(app)
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  await app.register(swagger, {
    openapi: {
      info: { title: 'Prosodia (Hume-compatible API)', version: VERSION },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-Hume-Api-Key' } } },
      security: [{ apiKey: [] }],
    },
  })

  const accounts = new AccountService(db.kysely, config.tokenTtlSeconds)
  installAuth(app, accounts)
  // Kokoro when its weights are in the models dir, else the embedded flite engine; /healthz says which.
  const ttsEngine = await selectTtsEngine({ modelsDir: config.modelsDir })
  const ttsHealth: HealthContributor = () => ({ tts: { engine: ttsEngine.name, sample_rate: ttsEngine.sampleRate } })
  await registerSystemRoutes(app, {
    accounts,
    dialect: db.dialect,
    version: VERSION,
    health: [...(deps.health ?? []), ttsHealth],
    bodyLimit: config.bodyLimit,
  })
  // The TTS library first: those are the voices Prosodia can speak. EVI's legacy base voices
  // (ITO, DACHER, ...) and custom voices remain nameable for configs written against them.
  const voices = firstOf(
    ttsVoiceLookup(db.kysely),
    presetVoiceLookup(BASE_VOICE_PRESETS),
    customVoiceLookup(db.kysely),
    ...(deps.voiceLookups ?? []),
  )
  await app.register(eviRoutes, { db: db.kysely, voices, pageCacheBytes: config.pageCacheBytes })
  // One WebSocket server for the whole app (TTS stream/input; EVI chat can share it).
  await app.register(websocket)
  await app.register(ttsRoutes, { db: db.kysely, engine: ttsEngine })
  await app.register(expressionRoutes, { db: db.kysely, config, tuning: deps.expression })
  return app
}
