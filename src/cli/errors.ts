import {
  bodyMessage,
  ForbiddenError,
  NotFoundError,
  ProsodiaConnectionError,
  ProsodiaError,
  ProsodiaTimeoutError,
  UnauthorizedError,
} from '../client/index.js'
import { CliError } from './context.js'

/** What the user sees for a failure: one line naming the problem, and the exit code. */
export function describeError(err: unknown, rawBaseUrl: string | undefined): { message: string; exitCode: 1 | 2 } {
  const baseUrl = rawBaseUrl === undefined ? undefined : withoutCredentials(rawBaseUrl)
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode }
  if (err instanceof UnauthorizedError) {
    return {
      message: `the server refused the API key (401): ${detail(err)}; set --api-key or PROSODIA_API_KEY`,
      exitCode: 1,
    }
  }
  if (err instanceof ProsodiaConnectionError) {
    const cause = err.message.split('\n')[0]?.replace(/^Cannot reach \S+: /, '') ?? ''
    return {
      message: `cannot reach the server at ${baseUrl ?? 'the base URL'} (${cause}); start it (npm start) or set --base-url or PROSODIA_BASE_URL`,
      exitCode: 1,
    }
  }
  if (err instanceof ProsodiaTimeoutError) {
    return { message: `the server at ${baseUrl ?? 'the base URL'} did not answer in time`, exitCode: 1 }
  }
  if (err instanceof ProsodiaError && err.statusCode !== undefined) {
    const what =
      err instanceof NotFoundError
        ? 'not found'
        : err instanceof ForbiddenError
          ? 'forbidden'
          : err.statusCode >= 500
            ? 'server error'
            : 'rejected'
    return { message: `${what} (${err.statusCode}): ${detail(err)}`, exitCode: 1 }
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const path = (err as NodeJS.ErrnoException | undefined)?.path
  if (code === 'ENOENT' && path) return { message: `no such file: ${path}`, exitCode: 1 }
  if (code === 'EISDIR' && path) return { message: `is a directory, not a file: ${path}`, exitCode: 1 }
  if (code === 'EACCES' && path) return { message: `permission denied: ${path}`, exitCode: 1 }
  return { message: err instanceof Error ? err.message : String(err), exitCode: 1 }
}

function detail(err: ProsodiaError): string {
  return (bodyMessage(err.body) ?? 'no details').replace(/\s+/g, ' ')
}

/** A URL fit to print: user:password and query parameters (an api_key=…) are masked. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url)
    if (u.username || u.password) {
      u.username = '***'
      u.password = ''
    }
    for (const key of [...u.searchParams.keys()]) u.searchParams.set(key, '***')
    return u.toString().replace(/\/$/, '')
  } catch {
    return '(the base URL)'
  }
}
