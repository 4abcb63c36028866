// The HTTP server process: `npm start` (with the queue workers, the default) and `npm run api`
// (HTTP only, for API processes scaled apart from `npm run worker`).
import { appDeps, buildApp } from './app.js'
import type { Config } from './config.js'
import { createRuntime } from './runtime.js'
import { onShutdown } from './shutdown.js'

export async function serve(config: Config, opts: { workers: boolean }): Promise<void> {
  const runtime = await createRuntime(config, { warm: opts.workers ? ['tts', 'batch'] : ['tts'] })
  if (config.bootstrapApiKey) await runtime.accounts.ensure('default', config.bootstrapApiKey)
  const app = await buildApp(appDeps(runtime))
  if (opts.workers) runtime.startWorkers()
  // Stop accepting, let in-flight requests finish, hand running jobs back, then stop threads and the database.
  onShutdown(
    app.log,
    async () => {
      await app.close()
      app.log.info('HTTP server closed')
      await runtime.close()
    },
    10_000,
  )
  await app.listen({ host: config.host, port: config.port })
}
