/**
 * One error class per status, as openai-node and Fern's SDKs do: callers branch with `instanceof` or on
 * `statusCode`, and always have the server's body (Hume's `{ code, error, message }`, or FastAPI's
 * `{ detail: [...] }` for a 422).
 */
export class ProsodiaError extends Error {
  readonly statusCode: number | undefined
  /** The parsed response body (or its text when it is not JSON). */
  readonly body: unknown
  readonly headers: Headers | undefined

  constructor(opts: { message?: string; statusCode?: number; body?: unknown; headers?: Headers; cause?: unknown }) {
    super(buildMessage(opts), opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = new.target.name
    this.statusCode = opts.statusCode
    this.body = opts.body
    this.headers = opts.headers
  }
}

function buildMessage(opts: { message?: string; statusCode?: number; body?: unknown }): string {
  const parts: string[] = []
  if (opts.message) parts.push(opts.message)
  if (opts.statusCode !== undefined) parts.push(`Status code: ${opts.statusCode}`)
  const detail = bodyMessage(opts.body)
  if (detail) parts.push(`Body: ${detail}`)
  return parts.join('\n') || 'Prosodia request failed'
}

/** The human part of an error body: Hume's `message`, FastAPI's first `detail`, or the raw text. */
export function bodyMessage(body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return undefined
  if (typeof body === 'string') return body.slice(0, 2000)
  if (typeof body === 'object') {
    const b = body as { message?: unknown; detail?: unknown; error?: unknown }
    if (typeof b.message === 'string') return b.message
    if (Array.isArray(b.detail)) {
      return b.detail
        .map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).join('.')}: ${d.msg ?? ''}`)
        .join('; ')
    }
    if (typeof b.detail === 'string') return b.detail
    if (b.error && typeof b.error === 'object' && typeof (b.error as { message?: unknown }).message === 'string') {
      return (b.error as { message: string }).message
    }
    return JSON.stringify(body).slice(0, 2000)
  }
  return String(body)
}

export class BadRequestError extends ProsodiaError {}
export class UnauthorizedError extends ProsodiaError {}
export class ForbiddenError extends ProsodiaError {}
export class NotFoundError extends ProsodiaError {}
export class ConflictError extends ProsodiaError {}
export class PayloadTooLargeError extends ProsodiaError {}
export class UnsupportedMediaTypeError extends ProsodiaError {}
export class UnprocessableEntityError extends ProsodiaError {}
export class TooManyRequestsError extends ProsodiaError {}
export class InternalServerError extends ProsodiaError {}
export class ServiceUnavailableError extends ProsodiaError {}
/** No response within `timeoutInSeconds` (after every retry). */
export class ProsodiaTimeoutError extends ProsodiaError {}
/** The server could not be reached (refused, reset, DNS) after every retry. */
export class ProsodiaConnectionError extends ProsodiaError {}

const byStatus: Record<number, typeof ProsodiaError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  422: UnprocessableEntityError,
  429: TooManyRequestsError,
  500: InternalServerError,
  503: ServiceUnavailableError,
}

export function errorForStatus(statusCode: number, body: unknown, headers?: Headers): ProsodiaError {
  const Class = byStatus[statusCode] ?? (statusCode >= 500 ? InternalServerError : ProsodiaError)
  return new Class({ statusCode, body, headers })
}

/** The names the official SDK uses, so `catch (e) { if (e instanceof HumeError) … }` keeps working. */
export { ProsodiaError as HumeError, ProsodiaTimeoutError as HumeTimeoutError }
