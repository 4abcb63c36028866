import type { FastifyInstance } from 'fastify'
import { ApiError, errors } from './errors.js'
import { parseClientJson } from './json.js'

/**
 * Fastify's JSON body parser, replaced by one that bounds nesting depth (see json.ts) and answers
 * bad JSON with the route's own error style. An empty body with a JSON content type is a 400,
 * as Fastify answers it.
 */
export function installJsonParser(app: FastifyInstance, maxDepth: number): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    // JSON is UTF-8 (RFC 8259); a body declared otherwise would be read wrongly, so it is refused.
    const charset = /;\s*charset=("?)([^";\s]+)\1/i.exec(String(req.headers['content-type'] ?? ''))?.[2]
    if (charset && !/^utf-?8$/i.test(charset)) {
      return done(errors.unsupportedMediaType(String(req.headers['content-type'])))
    }
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
