import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import multipart from '@fastify/multipart'
import { Type } from 'typebox'
import type { Limits } from '../../config.js'
import { errors } from '../../shared/http/errors.js'
import { parseClientJson, valueDepth } from '../../shared/http/json.js'
import { errorResponses } from '../../shared/http/schemas.js'
import { compileBodyCheck } from '../../shared/http/validation.js'
import { InferenceBaseRequest, JobId, JobParams, ListJobsQuery, Predictions, UnionJob } from './batch.schemas.js'
import { asClientError, MAX_FIELDS, uploadParts } from './batch.multipart.js'
import type { BatchService } from './batch.service.js'

/**
 * Multipart bodies are streamed part by part into the service; an empty schema lets Fastify pass
 * them through (a typed one would be validated against the unparsed body).
 */
const MultipartBody = Type.Unknown({
  description: 'parts: json (InferenceBaseRequest as a JSON string), file (repeated)',
})
const checkJsonPart = compileBodyCheck(InferenceBaseRequest, ['body', 'json'])

export interface ExpressionRouteOptions {
  batch: BatchService
  limits: Limits
}

/** The Expression Measurement batch API. */
export const expressionRoutes: FastifyPluginAsyncTypebox<ExpressionRouteOptions> = async (app, { batch, limits }) => {
  await app.register(multipart, {
    // One over each of our own limits, so that our checks (clear messages, no half-parsed body) trip first.
    limits: {
      fileSize: limits.uploadFileBytes + 1,
      files: limits.uploadFiles + 1,
      fields: MAX_FIELDS + 1,
      fieldSize: limits.bodyBytes,
      parts: limits.uploadFiles + MAX_FIELDS + 2,
    },
  })
  const tags = ['Batch']
  const parseRequest = (json: unknown) => {
    const value = typeof json === 'string' ? parseClientJson(json, limits.jsonDepth, ['body', 'json']) : json
    if (valueDepth(value, limits.jsonDepth) > limits.jsonDepth)
      throw errors.badJson(
        ['body', 'json'],
        `JSON is nested more than ${limits.jsonDepth} levels deep (PROSODIA_JSON_MAX_DEPTH)`,
      )
    return checkJsonPart(value)
  }

  app.get(
    '/v0/batch/jobs',
    { schema: { tags, querystring: ListJobsQuery, response: { 200: Type.Array(UnionJob), ...errorResponses } } },
    async (req) => batch.list(req.accountId, req.query),
  )

  // One route, two bodies (the SDK's startInferenceJob and startInferenceJobFromLocalFile).
  const body = {
    content: {
      'application/json': { schema: InferenceBaseRequest },
      'multipart/form-data': { schema: MultipartBody },
    },
  }
  app.post(
    '/v0/batch/jobs',
    { schema: { tags, body, response: { 200: JobId, ...errorResponses } } },
    async (req, reply) => {
      if (!req.isMultipart()) return batch.create(req.accountId, (req.body ?? {}) as InferenceBaseRequest)
      try {
        return await batch.createFromUploads(req.accountId, uploadParts(req, limits), parseRequest)
      } catch (err) {
        // The rest of a refused upload is not worth reading: end the connection after the answer.
        reply.header('connection', 'close')
        throw asClientError(err)
      }
    },
  )

  app.get(
    '/v0/batch/jobs/:id',
    { schema: { tags, params: JobParams, response: { 200: UnionJob, ...errorResponses } } },
    async (req) => batch.get(req.accountId, req.params.id),
  )

  app.get(
    '/v0/batch/jobs/:id/predictions',
    { schema: { tags, params: JobParams, response: { 200: Predictions, ...errorResponses } } },
    async (req, reply) =>
      reply.type('application/json; charset=utf-8').send(await batch.predictions(req.accountId, req.params.id)),
  )

  app.get(
    '/v0/batch/jobs/:id/artifacts',
    { schema: { tags, params: JobParams, response: errorResponses } },
    async (req, reply) => {
      const { id } = req.params
      const zip = await batch.artifacts(req.accountId, id)
      return reply.type('application/zip').header('content-disposition', `attachment; filename="${id}.zip"`).send(zip)
    },
  )
}
