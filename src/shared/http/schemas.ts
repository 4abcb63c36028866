import { Type, type Static } from 'typebox'

/** Hume's EVI error body (`ErrorResponse` in the definition). */
export const ErrorResponse = Type.Object(
  { code: Type.Optional(Type.String()), error: Type.Optional(Type.String()), message: Type.Optional(Type.String()) },
  { $id: 'ErrorResponse' },
)

/** FastAPI's validation body, which Hume answers with 422 where the definition declares it. */
export const HTTPValidationError = Type.Object(
  {
    detail: Type.Array(
      Type.Object({
        loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
        msg: Type.String(),
        type: Type.String(),
      }),
    ),
  },
  { $id: 'HTTPValidationError' },
)

/** Statuses any authenticated route can answer besides its own. */
export const errorResponses = {
  400: Type.Ref('ErrorResponse'),
  401: Type.Ref('ErrorResponse'),
  404: Type.Ref('ErrorResponse'),
  413: Type.Ref('ErrorResponse'),
  415: Type.Ref('ErrorResponse'),
} as const

/** Same, for routes whose validation failures answer 422 in FastAPI's shape. */
export const validationErrorResponses = { ...errorResponses, 422: Type.Ref('HTTPValidationError') } as const

/**
 * For strings stored in their own text column (names, descriptions) or used in a query: PostgreSQL
 * text cannot hold U+0000, so refuse it as bad input rather than fail in the database with a 500.
 */
export const NO_NUL = '^[^\\u0000]*$'

export const Uuid = Type.String({ format: 'uuid', maxLength: 36 })
export const IdParams = Type.Object({ id: Uuid })
export const IdVersionParams = Type.Object({ id: Uuid, version: Type.Integer({ minimum: 0, maximum: 2147483647 }) })
export type IdParams = Static<typeof IdParams>
export type IdVersionParams = Static<typeof IdVersionParams>

/**
 * A 200 with no body (Hume's deletes and renames). Typed `void` so handlers send nothing, which
 * Fastify answers with an empty body rather than the JSON `null` a null schema would produce.
 */
export const EmptyBody = Type.Unsafe<void>(Type.Null({ description: 'Empty body' }))
