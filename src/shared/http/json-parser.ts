import type { FastifyInstance } from 'fastify'
import { ApiError } from './errors.js'
import { parseClientJson } from './json.js'

/**
 * Fastify's JSON body parser, replaced by one that bounds nesting depth (see json.ts) and answers
 * bad JSON with the route's own error style. An empty body with a JSON content type is a 400,
 * as Fastify answers it.
 */
export function installJsonParser(app: FastifyInstance, maxDepth: number): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string
    if (text === '') {
      return done(
        new ApiError(400, 'bad_request', "Body cannot be empty when content-type is set to 'application/json'"),
      )
    }
    try {
      done(null, parseClientJson(text, maxDepth))
    } catch (err) {
      done(err as Error)
    }
  })
}
