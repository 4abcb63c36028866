// /v0/evi/chat: EVI's speech-to-speech socket. Authentication (header, or api_key / access_token
// in the handshake's query), the per-account socket cap, the message rate and size limits and the
// idle timeout are the app's; the chat's own limits (chats per account, text, audio) are the session's.
import type { FastifyPluginAsync } from 'fastify'
import type { SocketGuard } from '../../../shared/http/sockets.js'
import { ChatError } from './chat.codes.js'
import type { ChatDeps } from './chat.deps.js'
import { serverMessages } from './chat.messages.js'
import { parseChatQuery } from './chat.query.js'
import { ChatSession } from './chat.session.js'

export interface ChatRouteOptions {
  deps: Omit<ChatDeps, 'log'>
  sockets: SocketGuard
  messagesPerSecond: number
}

export const eviChatRoutes: FastifyPluginAsync<ChatRouteOptions> = async (app, o) => {
  app.get(
    '/v0/evi/chat',
    {
      websocket: true,
      config: { socket: true },
      schema: { hide: true },
      preValidation: async (req) => o.sockets.checkAdmission(req.accountId),
    },
    (socket, req) => {
      const watch = o.sockets.attach(socket, req.accountId, { messagesPerSecond: o.messagesPerSecond })
      if (!watch) return
      const search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : ''
      let query
      try {
        query = parseChatQuery(search)
      } catch (err) {
        if (!(err instanceof ChatError)) throw err
        socket.send(JSON.stringify(serverMessages.error({ ...err.spec, message: err.message })))
        socket.close(1000, err.spec.slug)
        return
      }
      // Messages that arrive while the chat opens (config, history) wait for it, in order.
      const early: string[] = []
      let session: ChatSession | undefined
      let opening = true
      socket.on('message', (data) => {
        if (!watch.message()) return
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
        // Hume's messages are JSON text; a binary frame holding JSON is read alike.
        const text = bytes.toString()
        if (session) session.onRaw(text)
        else if (opening && early.length < 256) early.push(text)
      })
      const log = req.log.child({ route: 'evi-chat' })
      // On several nodes the account's socket slot is taken after the upgrade: no chat starts without it.
      const opened = watch.admitted.then((ok) =>
        ok ? ChatSession.open(socket, { ...o.deps, log }, req.accountId, query) : undefined,
      )
      void watch.busy(opened).then((s) => {
        opening = false
        session = s
        for (const text of early.splice(0)) s?.onRaw(text)
      })
    },
  )
}
