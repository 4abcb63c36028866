/**
 * EVI's control plane (controlPlane.yml): `POST /v0/evi/chat/{chat_id}/send` hands one message to a
 * live chat, and the `/connect` socket (control.ws.ts) attaches to one. A chat is reachable only by
 * the account that opened it, and only while it runs; otherwise 404 in EVI's error shape. With
 * REDIS_URL a chat is reachable from every API node (cluster-chats.ts), whichever node runs it.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifySchemaCompiler } from 'fastify'
import { useErrorStyle } from '../../../shared/http/error-handler.js'
import { errors } from '../../../shared/http/errors.js'
import { EmptyBody, validationErrorResponses } from '../../../shared/http/schemas.js'
import type { SocketGuard } from '../../../shared/http/sockets.js'
import { compileBodyCheck } from '../../../shared/http/validation.js'
import { ControlMessageError, type LiveChats } from '../chat/live-chats.js'
import { ChatIdParams, checkPublishEvent, ControlPlanePublishEvent } from './control.schemas.js'
import { registerConnectSocket, type ConnectLimits } from './control.ws.js'

export interface ControlRouteOptions {
  liveChats: LiveChats
  sockets: SocketGuard
  limits: ConnectLimits
}

/**
 * The body is checked against the schema its `type` names (one precise issue, not seven branches'
 * worth); the path against its own schema. Failures answer 422 in FastAPI's shape, as the
 * definition's UnprocessableEntityError says.
 */
const sendValidator: FastifySchemaCompiler<unknown> = ({ httpPart, schema }) => {
  const check =
    httpPart === 'body' ? (v: unknown) => checkPublishEvent(v, ['body']) : compileBodyCheck(schema as never, ['path'])
  return (value: unknown) => {
    try {
      return { value: check(value) }
    } catch (error) {
      return { error: error as Error }
    }
  }
}

export const controlPlaneRoutes: FastifyPluginAsyncTypebox<ControlRouteOptions> = async (app, o) => {
  useErrorStyle(app, 'http_validation')
  // JSON only, like every EVI route: a text/plain body is a 415, not a string to validate.
  app.removeContentTypeParser('text/plain')

  app.post(
    '/v0/evi/chat/:chat_id/send',
    {
      schema: {
        tags: ['Control plane'],
        params: ChatIdParams,
        body: ControlPlanePublishEvent,
        response: { 200: EmptyBody, ...validationErrorResponses },
      },
      validatorCompiler: sendValidator,
    },
    async (req, reply) => {
      // Wherever the chat runs: with REDIS_URL, a chat on another node answers through it.
      const chat = await o.liveChats.find(req.accountId, req.params.chat_id)
      if (!chat) throw errors.notFound('Active chat', req.params.chat_id)
      try {
        await chat.send(req.body)
      } catch (err) {
        if (err instanceof ControlMessageError) throw errors.invalidField(['body'], err.message)
        throw err
      }
      // Hume answers an empty 200, which the SDK's send() resolves as void.
      return reply.code(200).send()
    },
  )

  registerConnectSocket(app, o)
}
