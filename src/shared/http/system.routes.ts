import formbody from '@fastify/formbody'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AccountService } from '../auth/accounts.service.js'
import { errors } from './errors.js'
import { errorResponses } from './schemas.js'

export interface HealthContributor {
  /** Adds a section to `/healthz`, e.g. which TTS engine is loaded. */
  (): Record<string, unknown>
}

const TokenBody = Type.Object({ grant_type: Type.Optional(Type.String({ maxLength: 64 })) })

function basicCredentials(header: string | undefined): { user: string; pass: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) }
}

export async function registerSystemRoutes(
  app: FastifyInstance,
  deps: { accounts: AccountService; dialect: string; version: string; health: HealthContributor[]; bodyLimit: number },
): Promise<void> {
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => {
    const sections = Object.assign({}, ...deps.health.map((h) => h()))
    return { status: 'ok', version: deps.version, database: deps.dialect, ...sections }
  })

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger())

  // OAuth2 client credentials, as Hume's `/oauth2-cc/token`: Basic api_key:secret_key. Only this route
  // takes form bodies, so an EVI route sent a form answers 415 instead of creating a resource from it.
  await app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: deps.bodyLimit })
    registerTokenRoute(scope, deps.accounts)
  })
}

function registerTokenRoute(app: FastifyInstance, accounts: AccountService): void {
  app.post(
    '/oauth2-cc/token',
    {
      config: { public: true },
      schema: {
        tags: ['Auth'],
        body: TokenBody,
        response: {
          200: Type.Object({ access_token: Type.String(), token_type: Type.String(), expires_in: Type.Integer() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const grant = (req.body as { grant_type?: string } | undefined)?.grant_type
      if (grant !== 'client_credentials') throw errors.badRequest('grant_type must be client_credentials')
      const basic = basicCredentials(req.headers.authorization)
      if (!basic) throw errors.unauthorized('HTTP Basic credentials (api_key:secret_key) are required')
      const token = await accounts.issueToken(basic.user, basic.pass)
      if (!token) throw errors.unauthorized('Invalid credentials')
      return token
    },
  )
}
