/**
 * The one error catalogue. `ErrorCode` is part of the wire contract: clients branch on it.
 * Create errors only through `errors.*` so status, code and wording stay consistent.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_error'
  | 'rate_limited'
  | 'unavailable'
  | 'internal_error'

const reasonPhrases: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function reasonPhrase(status: number): string {
  return reasonPhrases[status] ?? 'Error'
}

/** A validation problem in FastAPI's shape, which Hume's 422 bodies use. */
export interface ValidationIssue {
  loc: (string | number)[]
  msg: string
  type: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Present for validation failures, so routes that answer 422 can list every field. */
    readonly issues?: ValidationIssue[],
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'ApiError'
  }
}

export const errors = {
  badRequest: (message: string) => new ApiError(400, 'bad_request', message),
  invalid: (issues: ValidationIssue[]) =>
    new ApiError(422, 'validation_error', issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; '), issues),
  invalidField: (loc: (string | number)[], msg: string, type = 'value_error') => errors.invalid([{ loc, msg, type }]),
  unauthorized: (message = 'Invalid or missing credentials') => new ApiError(401, 'unauthorized', message),
  /** Credentials of another kind that do not authorise this (an expired or forged signed URL). */
  forbidden: (message: string) => new ApiError(403, 'forbidden', message),
  rangeNotSatisfiable: (size: number) =>
    new ApiError(416, 'bad_request', `The requested range is not within the ${size} bytes of the file`),
  notFound: (what: string, id: string | number) => new ApiError(404, 'not_found', `${what} ${id} not found`),
  conflict: (message: string) => new ApiError(409, 'conflict', message),
  payloadTooLarge: (limit: number) =>
    new ApiError(413, 'payload_too_large', `Request body exceeds the limit of ${limit} bytes`),
  /**
   * A document that is not (acceptable) JSON: 400 on routes answering Hume's ErrorResponse, 422
   * `json_invalid` on those answering FastAPI's validation shape, as Hume's TTS API does.
   */
  badJson: (where: (string | number)[], message: string) =>
    new ApiError(400, 'bad_request', `${where.join('.')}: ${message}`, [
      { loc: where, msg: message, type: 'json_invalid' },
    ]),
  uploadTooLarge: (message: string) => new ApiError(413, 'payload_too_large', message),
  tooManyRequests: (message: string) => new ApiError(429, 'rate_limited', message),
  unsupportedMediaType: (type: string) =>
    new ApiError(415, 'unsupported_media_type', `Unsupported Content-Type: ${type}`),
  unavailable: (message: string) => new ApiError(503, 'unavailable', message),
}
