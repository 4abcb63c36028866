import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance } from 'fastify'

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

const common: Options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false }

/**
 * Query strings and path params are text, so they are coerced ("10" -> 10); bodies are JSON and
 * are not: `"name": 5` is a 4xx rather than silently becoming "5".
 */
export function installValidation(app: FastifyInstance, sharedSchemas: object[]): void {
  const coercing = addFormats(new Ajv({ ...common, coerceTypes: 'array' }))
  const strict = addFormats(new Ajv({ ...common, coerceTypes: false }))
  for (const schema of sharedSchemas) {
    coercing.addSchema(schema)
    strict.addSchema(schema)
  }
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object),
  )
}
