import { ProsodiaClient } from '../client/index.js'

/** Where a command writes: the process's streams in the binary, buffers in unit tests. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, env: process.env })

/** The options every client command accepts (declared once on the root program). */
export interface GlobalOptions {
  baseUrl?: string
  apiKey?: string
  json?: boolean
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8000'

/** A failure the CLI reports as one line; exit code 1 for failures, 2 for usage errors. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message)
  }
}

export const usageError = (message: string) => new CliError(message, 2)

/** What a client command needs: the client, the resolved server URL (for messages) and the output mode. */
export interface Ctx {
  io: Io
  client: ProsodiaClient
  baseUrl: string
  json: boolean
}

/** Flags first, then the environment: PROSODIA_* for this server, HUME_API_KEY for users coming from Hume. */
export function makeCtx(io: Io, opts: GlobalOptions): Ctx {
  const baseUrl = (opts.baseUrl ?? (io.env.PROSODIA_BASE_URL || DEFAULT_BASE_URL)).replace(/\/+$/, '')
  let parsed: URL
  try {
    parsed = new URL(baseUrl)
  } catch {
    throw usageError(`--base-url / PROSODIA_BASE_URL is not a URL: ${baseUrl}`)
  }
  // Paths are appended to it, and what it carries would be printed in messages: keys go in --api-key.
  if (parsed.username || parsed.password || parsed.search || parsed.hash)
    throw usageError(
      '--base-url / PROSODIA_BASE_URL must be a plain address (no user:password, ?query or #): pass the key with --api-key',
    )
  // An empty variable counts as unset (`PROSODIA_API_KEY= prosodia …`).
  const apiKey = opts.apiKey ?? (io.env.PROSODIA_API_KEY || io.env.HUME_API_KEY || undefined)
  const client = new ProsodiaClient({ baseUrl, ...(apiKey ? { apiKey } : {}) })
  return { io, client, baseUrl, json: opts.json === true }
}
