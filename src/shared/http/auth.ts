import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AccountService } from '../auth/accounts.service.js'
import { errors } from './errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated account; every resource a route touches must belong to it. */
    accountId: string
  }
}

function credentials(request: FastifyRequest): { apiKey?: string; token?: string } {
  const header = request.headers['x-hume-api-key']
  if (typeof header === 'string' && header) return { apiKey: header }
  const auth = request.headers.authorization
  if (auth && /^bearer /i.test(auth)) return { token: auth.slice(7).trim() }
  // Browsers cannot set headers on a WebSocket handshake, so sockets take credentials in the query.
  if (request.headers.upgrade?.toLowerCase() === 'websocket') {
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
    const accountId = apiKey
      ? await accounts.accountForApiKey(apiKey)
      : token
        ? await accounts.accountForToken(token)
        : undefined
    if (!accountId) throw errors.unauthorized(apiKey || token ? 'Invalid credentials' : 'Missing credentials')
    request.accountId = accountId
  })
}
