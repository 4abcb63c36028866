/**
 * `/v0/evi/chats` and `/v0/evi/chat_groups` (every route hume@0.16.0 has), and the download behind
 * `signed_audio_url`, which needs no API key: its signature is the authority.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { useErrorStyle } from '../../../shared/http/error-handler.js'
import { errors } from '../../../shared/http/errors.js'
import { errorResponses, IdParams } from '../../../shared/http/schemas.js'
import type { BlobStore } from '../../../shared/storage/blobs.js'
import { audioFilePath, type AudioUrlSigner } from './audio-url.js'
import { sendBlob } from './blob-download.js'
import { RECONSTRUCTED_AUDIO_NAME } from './history.keys.js'
import {
  ChatGroupQuery,
  ChatGroupsQuery,
  ChatsQuery,
  HistoryPageQuery,
  ReturnChatAudioReconstruction,
  ReturnChatGroupPagedAudioReconstructions,
  ReturnChatGroupPagedChats,
  ReturnChatGroupPagedEvents,
  ReturnChatPagedEvents,
  ReturnPagedChatGroups,
  ReturnPagedChats,
  SignedAudioQuery,
} from './history.schemas.js'
import type { HistoryService } from './history.service.js'

export interface HistoryRouteOptions {
  history: HistoryService
  signer: AudioUrlSigner
  blobs: BlobStore
  /** Where signed URLs point when a request names no usable Host (HTTP/1.0): the server's own address. */
  fallbackOrigin: string
}

/** A Host header is the client's to set; one that is not a plain host[:port] is not put in a URL. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/

export const historyRoutes: FastifyPluginAsyncTypebox<HistoryRouteOptions> = async (app, opts) => {
  const { history, signer, blobs } = opts
  useErrorStyle(app, 'error_response')
  const origin = (req: FastifyRequest) => (HOST.test(req.host) ? `${req.protocol}://${req.host}` : opts.fallbackOrigin)
  const chats = { tags: ['Chats'] }
  const groups = { tags: ['Chat groups'] }

  app.get(
    '/v0/evi/chats',
    { schema: { ...chats, querystring: ChatsQuery, response: { 200: ReturnPagedChats, ...errorResponses } } },
    async (req) => history.listChats(req.accountId, req.query),
  )

  app.get(
    '/v0/evi/chats/:id',
    {
      schema: {
        ...chats,
        params: IdParams,
        querystring: HistoryPageQuery,
        response: { 200: ReturnChatPagedEvents, ...errorResponses },
      },
    },
    async (req) => history.chatEvents(req.accountId, req.params.id, req.query),
  )

  app.get(
    '/v0/evi/chats/:id/audio',
    { schema: { ...chats, params: IdParams, response: { 200: ReturnChatAudioReconstruction, ...errorResponses } } },
    async (req) => history.chatAudio(req.accountId, req.params.id, origin(req)),
  )

  app.get(
    '/v0/evi/chat_groups',
    {
      schema: { ...groups, querystring: ChatGroupsQuery, response: { 200: ReturnPagedChatGroups, ...errorResponses } },
    },
    async (req) => history.listGroups(req.accountId, req.query),
  )

  app.get(
    '/v0/evi/chat_groups/:id',
    {
      schema: {
        ...groups,
        params: IdParams,
        querystring: ChatGroupQuery,
        response: { 200: ReturnChatGroupPagedChats, ...errorResponses },
      },
    },
    async (req) => history.getGroup(req.accountId, req.params.id, req.query),
  )

  app.get(
    '/v0/evi/chat_groups/:id/events',
    {
      schema: {
        ...groups,
        params: IdParams,
        querystring: HistoryPageQuery,
        response: { 200: ReturnChatGroupPagedEvents, ...errorResponses },
      },
    },
    async (req) => history.groupEvents(req.accountId, req.params.id, req.query),
  )

  app.get(
    '/v0/evi/chat_groups/:id/audio',
    {
      schema: {
        ...groups,
        params: IdParams,
        querystring: HistoryPageQuery,
        response: { 200: ReturnChatGroupPagedAudioReconstructions, ...errorResponses },
      },
    },
    async (req) => history.groupAudio(req.accountId, req.params.id, req.query, origin(req)),
  )

  app.get(
    audioFilePath(':id'),
    {
      config: { public: true },
      schema: {
        ...chats,
        summary: `The file behind a signed_audio_url (${RECONSTRUCTED_AUDIO_NAME}); the URL is the credential`,
        security: [],
        params: IdParams,
        querystring: SignedAudioQuery,
        response: {
          200: Type.Unsafe<never>({ type: 'string', format: 'binary' }),
          206: Type.Unsafe<never>({ type: 'string', format: 'binary' }),
          400: Type.Ref('ErrorResponse'),
          403: Type.Ref('ErrorResponse'),
          404: Type.Ref('ErrorResponse'),
          416: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params
      const check = signer.verify(id, req.query.expires, req.query.signature)
      if (check === 'expired') throw errors.forbidden('This signed URL has expired; ask for the chat audio again')
      if (check !== 'ok') throw errors.forbidden('This URL is not signed for this file')
      const missing = () => errors.notFound('Chat audio', id)
      const key = await history.audioBlob(id)
      if (key === undefined) throw missing()
      return sendBlob(reply, { blobs, key, contentType: 'audio/mpeg', range: req.headers.range, missing })
    },
  )
}
