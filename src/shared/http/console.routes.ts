import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fs from 'node:fs'
import path from 'node:path'
import { errors } from './errors.js'

/** Built by `npm install` (prepare) or `npm run build:console` from console/. */
export const DEFAULT_CONSOLE_DIR = path.resolve(import.meta.dirname, '../../../dist/console')

const SECURITY_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

/**
 * The web console at /console/: static files, public (the page holds no secret; every call it makes carries
 * the key the user typed, like any other client). Hash routing keeps every page at /console/, so only the
 * built files are served, with index.html for the directory itself.
 */
export async function registerConsoleRoutes(app: FastifyInstance, dir = DEFAULT_CONSOLE_DIR): Promise<void> {
  await app.register(fastifyStatic, { root: dir, serve: false })
  const built = () => fs.existsSync(path.join(dir, 'index.html'))
  const opts = {
    config: { public: true },
    schema: { hide: true },
    // The key lives in this page's storage: nothing but its own scripts may run, nothing may frame it.
    onSend: async (_request: unknown, reply: { headers: (h: Record<string, string>) => unknown }) => {
      reply.headers(SECURITY_HEADERS)
    },
  }

  app.get('/console', opts, async (_request, reply) => reply.redirect('/console/', 301))
  app.get('/console/', opts, async (_request, reply) => {
    if (!built())
      throw errors.unavailable('The console is not built: run `npm run build:console` (npm install does it)')
    return reply.sendFile('index.html', { cacheControl: false })
  })
  app.get<{ Params: { '*': string } }>('/console/*', opts, async (request, reply) => {
    const file = request.params['*']
    // Only names the build writes: no dot-files, no directories, nothing outside `dir` (@fastify/send also
    // refuses traversal).
    if (!/^[\w.-]+(\/[\w.-]+)*$/.test(file) || file.split('/').some((part) => part.startsWith('.')))
      throw errors.notFound('file', file)
    if (!fs.existsSync(path.join(dir, file))) throw errors.notFound('file', file)
    return reply.sendFile(file, { cacheControl: false })
  })
}
