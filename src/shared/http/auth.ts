import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AccountService } from '../auth/accounts.service.js'
import { errors } from './errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated account; every resource a route touches must belong to it. */
    accountId: string
  }
  interface FastifyContextConfig {
    /**
     * The Bearer token may also be an API key: OpenAI-style clients (the openai SDKs) send their
     * `apiKey` as `Authorization: Bearer`, and cannot be told to use X-Hume-Api-Key.
     */
    bearerApiKey?: boolean
  }
}

function credentials(request: FastifyRequest): { apiKey?: string; token?: string } {
  const header = request.headers['x-hume-api-key']
  if (typeof header === 'string' && header) return { apiKey: header }
  const auth = request.headers.authorization
  if (auth && /^bearer /i.test(auth)) return { token: auth.slice(7).trim() }
  // Browsers cannot set headers on a WebSocket handshake, so sockets take credentials in the query;
  // only a real handshake (an HTTP upgrade) on a socket route does, never an ordinary request.
  if ((request as { ws?: boolean }).ws === true && request.routeOptions.config?.socket) {
    const query = request.query as Record<string, unknown>
    if (typeof query.api_key === 'string' && query.api_key) return { apiKey: query.api_key }
    if (typeof query.access_token === 'string' && query.access_token) return { token: query.access_token }
  }
  return {}
}

/** Authenticates every route not marked `config: { public: true }`. */
export function installAuth(app: FastifyInstance, accounts: AccountService): void {
  app.decorateRequest('accountId', '')
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public) return
    const { apiKey, token } = credentials(request)
    let accountId = apiKey
      ? await accounts.accountForApiKey(apiKey)
      : token
        ? await accounts.accountForToken(token)
        : undefined
    // Keys and tokens are both 256-bit random secrets of one account, so trying the other kind
    // cannot match a different account; routes that do not opt in keep Bearer for tokens only.
    // Under /v1/ (OpenAI's paths) every route takes the key as Bearer, so a tool probing a route this
    // server lacks hears 404, not that its key is wrong.
    const bearerApiKey = request.routeOptions.config?.bearerApiKey || request.url.startsWith('/v1/')
    if (!accountId && token && bearerApiKey) accountId = await accounts.accountForApiKey(token)
    if (!accountId) throw errors.unauthorized(apiKey || token ? 'Invalid credentials' : 'Missing credentials')
    request.accountId = accountId
  })
}

const CREDENTIAL_PARAMS = new Set(['apikey', 'accesstoken'])

/**
 * `api_key`, `API_KEY`, `api+key`, `api_key[]`, `api_key\0`...: every spelling a server might read as one;
 * and names ending in one, such as the EVI chat's `session_settings[language_model_api_key]`.
 */
const credentialName = (key: string) => {
  const name = key.toLowerCase().replace(/[^a-z]/g, '')
  return [...CREDENTIAL_PARAMS].some((p) => name.endsWith(p))
}

/**
 * A URL safe to log: credential query parameters are redacted after decoding, so `api%5Fkey=...`
 * (which servers decode to `api_key`) is caught as well as `api_key=...`.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  let params: URLSearchParams
  try {
    params = new URLSearchParams(url.slice(q + 1))
  } catch {
    return `${url.slice(0, q)}?[unparsable query redacted]`
  }
  let redacted = false
  for (const key of new Set(params.keys())) {
    if (credentialName(key)) {
      params.set(key, '[redacted]')
      redacted = true
    }
  }
  return redacted ? `${url.slice(0, q)}?${params.toString()}` : url
}
