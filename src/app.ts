import { randomUUID } from 'node:crypto'
import swagger from '@fastify/swagger'
import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'
import { expressionRoutes } from './domains/expression/batch.routes.js'
import type { BatchService } from './domains/expression/batch.service.js'
import type { StreamService } from './domains/expression/stream/stream.service.js'
import { expressionStreamRoutes } from './domains/expression/stream/stream.ws.js'
import type { ChatDeps } from './domains/evi/chat/chat.deps.js'
import { eviChatRoutes } from './domains/evi/chat/chat.ws.js'
import type { LiveChats } from './domains/evi/chat/live-chats.js'
import { controlPlaneRoutes } from './domains/evi/control/control.routes.js'
import { eviRoutes } from './domains/evi/evi.routes.js'
import type { EviServices } from './domains/evi/evi.services.js'
import type { EviHistory } from './domains/evi/history/history.module.js'
import { historyRoutes } from './domains/evi/history/history.routes.js'
import { openAiSpeechRoutes } from './domains/tts/openai/speech.routes.js'
import { ttsRoutes } from './domains/tts/tts.routes.js'
import type { TtsService } from './domains/tts/tts.service.js'
import type { Synthesizer } from './domains/tts/tts.synthesizer.js'
import type { VoicesService } from './domains/tts/voices.service.js'
import type { Runtime } from './runtime.js'
import type { AccountService } from './shared/auth/accounts.service.js'
import { installAuth, redactUrl } from './shared/http/auth.js'
import { installErrorHandling, sendError } from './shared/http/error-handler.js'
import { ApiError, errors } from './shared/http/errors.js'
import { installJsonParser } from './shared/http/json-parser.js'
import { REDACTED_LOG_PATHS } from './shared/log-redaction.js'
import { installMetrics } from './shared/http/metrics.js'
import { Metrics } from './shared/http/metrics-registry.js'
import { registerReadinessRoute, type ReadinessCheck, type ReadinessOptions } from './shared/http/readiness.js'
import type { PageCache } from './shared/http/page-cache.js'
import { ErrorResponse, HTTPValidationError } from './shared/http/schemas.js'
import type { SocketGuard } from './shared/http/sockets.js'
import type { SlotsFactory } from './shared/cluster/slots.js'
import { registerSystemRoutes, type HealthContributor } from './shared/http/system.routes.js'
import { registerConsoleRoutes } from './shared/http/console.routes.js'
import { installValidation } from './shared/http/validation.js'

export const VERSION = '0.1.0'

/** Everything the HTTP API needs, built elsewhere (runtime.ts); a domain left out has no routes. */
export interface AppDeps {
  config: Config
  accounts: AccountService
  sockets: SocketGuard
  /** Where per-account counts are kept (left out: this process); with REDIS_URL, shared by every node. */
  slots?: SlotsFactory
  /** The built web console (default dist/console). */
  consoleDir?: string
  /** The database dialect, reported by /healthz. */
  dialect: string
  /** `false` to silence; otherwise where logs go (default stdout) at what level (default the config's). */
  logger?: false | { stream?: NodeJS.WritableStream; level?: string }
  health?: HealthContributor[]
  /** The runtime's metrics (GET /metrics); left out, the app keeps HTTP and socket metrics of its own. */
  metrics?: Metrics
  /** What GET /readyz checks (left out: no /readyz); options shorten its deadline and cache (tests). */
  readiness?: { checks: Record<string, ReadinessCheck> } & ReadinessOptions
  evi?: {
    services: EviServices
    pageCache?: PageCache
    liveChats?: LiveChats
    history?: EviHistory
    /** The chat socket's stages (left out: no /v0/evi/chat). */
    chat?: Omit<ChatDeps, 'log'>
  }
  tts?: { service: TtsService; synth: Synthesizer; voices: VoicesService }
  expression?: { batch: BatchService; stream?: StreamService }
}

export type Domain = 'evi' | 'tts' | 'expression'

/** The app's dependencies from a runtime, with all domains or only some (tests of one domain). */
export function appDeps(rt: Runtime, domains: readonly Domain[] = ['evi', 'tts', 'expression']): AppDeps {
  return {
    config: rt.config,
    accounts: rt.accounts,
    sockets: rt.sockets,
    slots: rt.slots,
    dialect: rt.db.dialect,
    health: rt.health,
    metrics: rt.metrics,
    readiness: { checks: rt.readiness },
    ...(domains.includes('evi')
      ? {
          evi: {
            services: rt.evi,
            pageCache: rt.pageCache,
            liveChats: rt.liveChats,
            history: rt.eviHistory,
            chat: rt.chat,
          },
        }
      : {}),
    ...(domains.includes('tts') ? { tts: rt.tts } : {}),
    ...(domains.includes('expression') ? { expression: rt.expression } : {}),
  }
}

const REQUEST_ID = /^[\w.-]{1,128}$/

/** Builds the whole HTTP API from its dependencies. No listen(), no globals: tests call this and use inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps
  const limits = config.limits
  const logger: FastifyServerOptions['logger'] =
    deps.logger === false
      ? false
      : {
          level: deps.logger?.level ?? config.logLevel,
          ...(deps.logger?.stream ? { stream: deps.logger.stream } : {}),
          redact: REDACTED_LOG_PATHS,
          serializers: {
            // Sockets carry credentials in the query string; keep them out of the logs.
            req: (req) => ({ method: req.method, url: redactUrl(req.url) }),
          },
        }
  const app = Fastify({
    logger,
    bodyLimit: limits.bodyBytes,
    requestTimeout: limits.requestTimeoutMs,
    // A client that stops reading a response (or sending a request) frees its buffers when this passes.
    connectionTimeout: limits.socketIdleMs,
    // Bad URLs (malformed escapes, over-long path parameters) answer in the API's error shape too,
    // without echoing the URL back.
    frameworkErrors: (err, request, reply) =>
      sendError(
        request,
        reply,
        err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new ApiError(414, 'bad_request', 'A path parameter is too long')
          : errors.badRequest('The URL is not valid'),
      ),
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
  })
  app.addSchema(ErrorResponse)
  app.addSchema(HTTPValidationError)
  installValidation(app)
  installJsonParser(app, limits.jsonDepth)
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

  // One WebSocket server for the whole app; its maxPayload bounds every client message. Registered
  // before auth so that `request.ws` (a real upgrade) is known when credentials are read.
  await app.register(websocket, {
    options: { maxPayload: limits.wsMessageBytes },
    // Shutting down: every socket is told 1012 (service restart), which the SDKs answer by reconnecting,
    // through the load balancer, to a node that is not going away. Chats end and write their history
    // as on any close; runtime.close() waits for that before it closes the database.
    preClose(done) {
      const server = this.websocketServer
      for (const client of server.clients) client.close(1012, 'server restarting')
      // The close handshake waits for each client's answer: one that never answers is cut off after 3 s.
      const cut = setTimeout(() => {
        for (const client of server.clients) client.terminate()
      }, 3_000)
      server.close(() => {
        clearTimeout(cut)
        done()
      })
    },
    // A client's protocol mistake (a message over maxPayload, bad framing) is answered by ws with
    // the right close code (1009, 1002...); it is the client's error, not the server's.
    errorHandler(error, socket, request) {
      const code = (error as { code?: string }).code
      if (code?.startsWith('WS_ERR_'))
        request.log.info({ code, message: error.message }, 'websocket closed: client error')
      else request.log.error(error)
      socket.terminate()
    },
  })
  installAuth(app, deps.accounts)
  installMetrics(app, deps.metrics ?? new Metrics(), { token: config.metricsToken })
  if (deps.readiness) registerReadinessRoute(app, deps.readiness.checks, deps.readiness)
  await registerSystemRoutes(app, {
    accounts: deps.accounts,
    dialect: deps.dialect,
    version: VERSION,
    health: deps.health ?? [],
    bodyLimit: limits.bodyBytes,
  })
  await registerConsoleRoutes(app, deps.consoleDir)
  if (deps.evi) await app.register(eviRoutes, deps.evi)
  // EVI chat history: /v0/evi/chats, /v0/evi/chat_groups and the signed audio download.
  if (deps.evi?.history) {
    await app.register(historyRoutes, {
      history: deps.evi.history.reader,
      signer: deps.evi.history.signer,
      blobs: deps.evi.history.blobs,
      fallbackOrigin: `http://${config.host}:${config.port}`,
    })
  }
  // EVI's chat socket: /v0/evi/chat.
  if (deps.evi?.chat) {
    await app.register(eviChatRoutes, {
      deps: deps.evi.chat,
      sockets: deps.sockets,
      messagesPerSecond: limits.eviMessagesPerSecond,
    })
  }
  // EVI control plane: POST /v0/evi/chat/{chat_id}/send and the /connect socket.
  if (deps.evi?.liveChats) {
    await app.register(controlPlaneRoutes, {
      liveChats: deps.evi.liveChats,
      sockets: deps.sockets,
      limits: { jsonDepth: limits.jsonDepth, bufferedBytes: limits.wsBufferedBytes, stallMs: limits.wsIdleMs },
    })
  }
  if (deps.tts) {
    await app.register(ttsRoutes, {
      tts: deps.tts.service,
      synth: deps.tts.synth,
      voices: deps.tts.voices,
      sockets: deps.sockets,
      streamInput: {
        jsonDepth: limits.jsonDepth,
        pendingChars: limits.ttsRequestChars,
        bufferedBytes: limits.wsBufferedBytes,
        stallMs: limits.wsIdleMs,
      },
      concurrentPerAccount: limits.ttsConcurrentPerAccount,
      slots: deps.slots,
    })
    // OpenAI-compatible speech (POST /v1/audio/speech) on the same engine and voice library.
    await app.register(openAiSpeechRoutes, {
      tts: deps.tts.service,
      synth: deps.tts.synth,
      voices: deps.tts.voices,
      maxRequestChars: limits.ttsRequestChars,
      concurrentPerAccount: limits.ttsConcurrentPerAccount,
      slots: deps.slots,
    })
  }
  if (deps.expression) await app.register(expressionRoutes, { batch: deps.expression.batch, limits })
  // Expression Measurement streaming socket (/v0/stream/models).
  if (deps.expression?.stream) {
    await app.register(expressionStreamRoutes, {
      stream: deps.expression.stream,
      sockets: deps.sockets,
      limits: { jsonDepth: limits.jsonDepth, bufferedBytes: limits.wsBufferedBytes, stallMs: limits.wsIdleMs },
    })
  }
  return app
}
