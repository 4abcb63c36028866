// /v0/stream/models: Hume's Expression Measurement streaming socket. Authentication (header, or
// api_key / access_token in the query of the handshake), the per-account socket cap, the message
// rate and size limits and the idle timeout are the app's, shared with every socket.
import type { FastifyPluginAsync } from 'fastify'
import type { SocketGuard } from '../../../shared/http/sockets.js'
import { StreamSession, type StreamSessionLimits } from './stream.session.js'
import type { StreamService } from './stream.service.js'

export interface StreamRouteOptions {
  stream: StreamService
  sockets: SocketGuard
  limits: StreamSessionLimits
}

export const expressionStreamRoutes: FastifyPluginAsync<StreamRouteOptions> = async (app, o) => {
  app.get(
    '/v0/stream/models',
    {
      websocket: true,
      config: { socket: true },
      schema: { hide: true },
      preValidation: async (req) => o.sockets.checkAdmission(req.accountId),
    },
    (socket, req) => {
      const watch = o.sockets.attach(socket, req.accountId)
      if (!watch) return
      const session = new StreamSession({ socket, watch, service: o.stream, limits: o.limits, log: req.log })
      socket.on('message', (data) => {
        if (!watch.message()) return
        // Hume's payloads are JSON text; a binary frame holding the same JSON is answered alike,
        // and anything else gets E0100 like any other message that is not JSON.
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
        session.onMessage(bytes.toString())
      })
    },
  )
}
