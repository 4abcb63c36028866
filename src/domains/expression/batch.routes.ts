import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import type { Config } from '../../config.js'
import { toValidationIssues } from '../../shared/http/error-handler.js'
import { errors } from '../../shared/http/errors.js'
import { errorResponses } from '../../shared/http/schemas.js'
import type { AnyKysely } from '../../shared/queue/sql-queue.js'
import { startBatchRuntime, type BatchTuning } from './batch.runtime.js'
import {
  InferenceBaseRequest,
  JobId,
  JobParams,
  ListJobsQuery,
  Predictions,
  UnionJob,
  type ListJobsQuery as ListQuery,
} from './batch.schemas.js'
import { BatchService, type Upload } from './batch.service.js'

const checkRequest = Compile(InferenceBaseRequest)
const MAX_FILES = 100
/**
 * Multipart bodies are streamed and checked part by part in readMultipart; an empty schema lets
 * Fastify pass them through (a typed one would be validated against the unparsed body).
 */
const MultipartBody = Type.Unknown({
  description: 'parts: json (InferenceBaseRequest as a JSON string), file (repeated)',
})

/** Parses `json` + repeated `file` parts (startInferenceJobFromLocalFile). */
async function readMultipart(req: FastifyRequest): Promise<{ body: InferenceBaseRequest; uploads: Upload[] }> {
  let body: unknown = {}
  const uploads: Upload[] = []
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      // toBuffer() throws a 413 when the part passes the fileSize limit.
      uploads.push({
        filename: part.filename || `file-${uploads.length}`,
        contentType: part.mimetype || null,
        data: await part.toBuffer(),
      })
    } else if (part.fieldname === 'json') {
      try {
        body = JSON.parse(String(part.value))
      } catch {
        throw errors.invalidField(['body', 'json'], 'the json part is not valid JSON', 'json_invalid')
      }
    }
  }
  if (!checkRequest.Check(body)) {
    throw errors.invalid(
      toValidationIssues('body', [...checkRequest.Errors(body)]).map((i) => ({
        ...i,
        loc: ['body', 'json', ...i.loc.slice(1)],
      })),
    )
  }
  return { body, uploads }
}

export interface ExpressionRouteOptions {
  db: AnyKysely
  config: Config
  tuning?: BatchTuning
}

/** The Expression Measurement batch API, its worker and its inference pool. */
export async function expressionRoutes(app: FastifyInstance, opts: ExpressionRouteOptions): Promise<void> {
  const runtime = startBatchRuntime(opts.db, opts.config, app.log, opts.tuning)
  const service = new BatchService(opts.db, () => runtime.worker.nudge())
  app.addHook('onReady', async () => runtime.worker.start())
  app.addHook('onClose', async () => runtime.stop())
  await app.register(multipart, {
    limits: { fileSize: runtime.limits.maxDownloadBytes, files: MAX_FILES, fields: 10, parts: MAX_FILES + 10 },
  })
  const tags = ['Batch']

  app.get(
    '/v0/batch/jobs',
    { schema: { tags, querystring: ListJobsQuery, response: { 200: Type.Array(UnionJob), ...errorResponses } } },
    async (req) => service.list(req.accountId, req.query as ListQuery),
  )

  // One route, two bodies (the SDK's startInferenceJob and startInferenceJobFromLocalFile):
  // JSON is validated by the schema; multipart parts are read and validated in readMultipart.
  const body = {
    content: {
      'application/json': { schema: InferenceBaseRequest },
      'multipart/form-data': { schema: MultipartBody },
    },
  }
  app.post('/v0/batch/jobs', { schema: { tags, body, response: { 200: JobId, ...errorResponses } } }, async (req) => {
    if (!req.isMultipart()) return service.create(req.accountId, (req.body ?? {}) as InferenceBaseRequest)
    const { body: json, uploads } = await readMultipart(req)
    return service.create(req.accountId, json, uploads)
  })

  app.get(
    '/v0/batch/jobs/:id',
    { schema: { tags, params: JobParams, response: { 200: UnionJob, ...errorResponses } } },
    async (req) => service.get(req.accountId, (req.params as { id: string }).id),
  )

  app.get(
    '/v0/batch/jobs/:id/predictions',
    { schema: { tags, params: JobParams, response: { 200: Predictions, ...errorResponses } } },
    async (req) => service.predictions(req.accountId, (req.params as { id: string }).id),
  )

  app.get(
    '/v0/batch/jobs/:id/artifacts',
    { schema: { tags, params: JobParams, response: errorResponses } },
    async (req, reply) => {
      const id = (req.params as { id: string }).id
      const zip = await service.artifacts(req.accountId, id)
      return reply.type('application/zip').header('content-disposition', `attachment; filename="${id}.zip"`).send(zip)
    },
  )
}
