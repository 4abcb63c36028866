import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fs from 'node:fs'
import path from 'node:path'
import { errors } from './errors.js'

/** Built by `npm install` (prepare) or `npm run build:console` from console/. */
export const DEFAULT_CONSOLE_DIR = path.resolve(import.meta.dirname, '../../../dist/console')

/**
 * The web console at /console/: static files, public (the page holds no secret; every call it makes carries
 * the key the user typed, like any other client). Hash routing keeps every page at /console/, so only the
 * built files are served, with index.html for the directory itself.
 */
export async function registerConsoleRoutes(app: FastifyInstance, dir = DEFAULT_CONSOLE_DIR): Promise<void> {
  await app.register(fastifyStatic, { root: dir, serve: false })
  const built = () => fs.existsSync(path.join(dir, 'index.html'))
  const opts = { config: { public: true }, schema: { hide: true } }

  app.get('/console', opts, async (_request, reply) => reply.redirect('/console/', 301))
  app.get('/console/', opts, async (_request, reply) => {
    if (!built())
      throw errors.unavailable('The console is not built: run `npm run build:console` (npm install does it)')
    return reply.header('cache-control', 'no-cache').sendFile('index.html')
  })
  app.get<{ Params: { '*': string } }>('/console/*', opts, async (request, reply) => {
    const file = request.params['*']
    // Only names the build writes: no dot-files, no directories, nothing outside `dir` (@fastify/send also
    // refuses traversal).
    if (!/^[\w.-]+(\/[\w.-]+)*$/.test(file) || file.split('/').some((part) => part.startsWith('.')))
      throw errors.notFound('file', file)
    if (!fs.existsSync(path.join(dir, file))) throw errors.notFound('file', file)
    return reply.header('cache-control', 'no-cache').sendFile(file)
  })
}
