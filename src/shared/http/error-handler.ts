import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { QueueUnavailableError } from '../queue/queue.js'
import { PoolBusyError } from '../workers/pool.js'
import { ApiError, errors, reasonPhrase, type ValidationIssue } from './errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * How validation failures are answered: `error_response` (400 `{code,error,message}`, EVI's
     * declared error), `http_validation` (422 `{detail:[...]}`, where the definition declares it) or
     * `openai` (every error as OpenAI's `{error:{message,type,param,code}}`, which the openai SDKs parse).
     */
    errorStyle?: ErrorStyle
    /** Answers without credentials. */
    public?: boolean
    /** A WebSocket route: its handshake may carry credentials in the query (api_key, access_token). */
    socket?: boolean
  }
}

export type ErrorStyle = 'error_response' | 'http_validation' | 'openai'

const locRoots: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' }

const issueTypes: Record<string, string> = {
  required: 'missing',
  minLength: 'string_too_short',
  maxLength: 'string_too_long',
  minimum: 'greater_than_equal',
  maximum: 'less_than_equal',
  exclusiveMinimum: 'greater_than',
  exclusiveMaximum: 'less_than',
  enum: 'enum',
  const: 'literal_error',
  anyOf: 'union_error',
  additionalProperties: 'extra_forbidden',
  pattern: 'string_pattern_mismatch',
  minItems: 'too_short',
  maxItems: 'too_long',
}

interface AjvIssue {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

/**
 * A nullable field that fails reports three errors (the real one, "must be null" for the other
 * branch, and "must match a schema in anyOf"): keep the real one.
 */
function withoutBranchNoise(validation: AjvIssue[]): AjvIssue[] {
  const specific = validation.filter(
    (v) => v.keyword !== 'anyOf' && !(v.keyword === 'type' && v.params.type === 'null'),
  )
  return specific.length > 0 ? specific : validation
}

/** Turns Ajv's errors into FastAPI-style issues naming the field, e.g. `["body","name"]`. */
export function toValidationIssues(context: string, validation: AjvIssue[]): ValidationIssue[] {
  return withoutBranchNoise(validation).map((v) => {
    const loc: (string | number)[] = [locRoots[context] ?? context]
    for (const part of v.instancePath.split('/').slice(1)) {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~')
      loc.push(/^\d+$/.test(key) ? Number(key) : key)
    }
    if (v.keyword === 'required') loc.push(String(v.params.missingProperty))
    if (v.keyword === 'additionalProperties') loc.push(String(v.params.additionalProperty))
    const type = v.keyword === 'type' ? `${String(v.params.type)}_type` : (issueTypes[v.keyword] ?? 'value_error')
    const msg = v.keyword === 'required' ? 'Field required' : (v.message ?? 'Invalid value')
    return { loc, msg, type }
  })
}

function fromFastifyError(err: FastifyError, request: FastifyRequest): ApiError {
  if (err.validation) return errors.invalid(toValidationIssues(err.validationContext ?? 'body', err.validation))
  // Fastify's own messages name neither the limit nor the type, so take them from the request.
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return errors.payloadTooLarge(request.routeOptions.bodyLimit)
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return errors.unsupportedMediaType(String(request.headers['content-type'] ?? ''))
  const status = err.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const code = status === 413 ? 'payload_too_large' : status === 404 ? 'not_found' : 'bad_request'
    return new ApiError(status, code, err.message)
  }
  return new ApiError(500, 'internal_error', 'Internal server error', undefined, { cause: err })
}

/** Sets how validation failures answer on every route registered in this plugin from now on. */
export function useErrorStyle(app: FastifyInstance, style: ErrorStyle): void {
  app.addHook('onRoute', (route) => {
    route.config = { errorStyle: style, ...route.config }
  })
}

/** OpenAI's error `type` for a status (its SDKs pick the error class by status; clients log the type). */
function openAiType(status: number): string {
  if (status === 429) return 'rate_limit_error'
  return status >= 500 ? 'server_error' : 'invalid_request_error'
}

/** OpenAI's `code` for the cases clients branch on; otherwise the catalogue's code. */
function openAiCode(error: ApiError): string {
  if (error.issues) return 'invalid_value'
  if (error.status === 401) return 'invalid_api_key'
  if (error.status === 429) return 'rate_limit_exceeded'
  return error.code
}

/** `{ error: { message, type, param, code } }`; `param` names the first bad body field, as OpenAI's does. */
function sendOpenAiError(reply: FastifyReply, error: ApiError): FastifyReply {
  const status = error.issues ? 400 : error.status
  const field = (loc: (string | number)[]) => loc.slice(1).join('.')
  const message = error.issues
    ? error.issues.map((i) => (field(i.loc) ? `${field(i.loc)}: ${i.msg}` : i.msg)).join('; ')
    : error.message
  const param = error.issues?.[0] ? field(error.issues[0].loc) || null : null
  return reply.code(status).send({ error: { message, type: openAiType(status), param, code: openAiCode(error) } })
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  const style = request.routeOptions.config?.errorStyle ?? 'error_response'
  if (error.status === 429 || error.status === 503) reply.header('retry-after', '1')
  if (style === 'openai') return sendOpenAiError(reply, error)
  if (error.issues) {
    if (style === 'http_validation') return reply.code(422).send({ detail: error.issues })
    return reply.code(400).send({ code: error.code, error: reasonPhrase(400), message: error.message })
  }
  return reply.code(error.status).send({ code: error.code, error: reasonPhrase(error.status), message: error.message })
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    const error =
      err instanceof ApiError
        ? err
        : err instanceof PoolBusyError
          ? errors.unavailable('The server is busy; retry shortly')
          : err instanceof QueueUnavailableError
            ? errors.unavailable('The job queue cannot be reached right now; retry shortly')
            : fromFastifyError(err, request)
    // A client that hung up cancels its work; what fails after that is no server fault.
    if (error.status >= 500 && (request.raw.destroyed || reply.raw.destroyed))
      request.log.info({ err: error.cause ?? err }, 'request abandoned by the client')
    else if (error.status >= 500) request.log.error({ err: error.cause ?? err }, 'request failed')
    return sendError(request, reply, error)
  })
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new ApiError(404, 'not_found', `Route ${request.method} ${request.url.split('?')[0]} not found`),
    ),
  )
}
