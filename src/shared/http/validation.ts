/**
 * The one validator path: Fastify's route schemas and the bodies that do not come through a route
 * schema (multipart `json` parts, socket messages) are checked by the same Ajv instances, so a
 * field means the same thing, and fails the same way, wherever it arrives.
 */
import { Ajv, type Options, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import type { Static, TSchema } from 'typebox'
import { toValidationIssues } from './error-handler.js'
import { errors } from './errors.js'
import { ErrorResponse, HTTPValidationError } from './schemas.js'

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

const common: Options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false }

function ajv(coerceTypes: Options['coerceTypes']): Ajv {
  const a = addFormats(new Ajv({ ...common, coerceTypes }))
  for (const schema of [ErrorResponse, HTTPValidationError]) a.addSchema(schema)
  return a
}

/**
 * Query strings and path params are text, so they are coerced ("10" -> 10); bodies are JSON and
 * are not: `"name": 5` is a 4xx rather than silently becoming "5". Compiled schemas are cached by
 * Ajv per instance, and these two instances are shared by every app in the process.
 */
const coercing = ajv('array')
const strict = ajv(false)

export function installValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object),
  )
}

/**
 * A body check outside Fastify's routing: returns the value typed, or throws the validation
 * ApiError (answered 400 or 422 by the route's error style) with `loc` rooted at `where`.
 */
export function compileBodyCheck<T extends TSchema>(schema: T, where: (string | number)[] = ['body']) {
  const validate: ValidateFunction = strict.compile(schema as object)
  return (value: unknown): Static<T> => {
    if (validate(value)) return value as Static<T>
    const issues = toValidationIssues('body', validate.errors ?? []).map((i) => ({
      ...i,
      loc: [...where, ...i.loc.slice(1)],
    }))
    throw errors.invalid(issues)
  }
}
