// `npm start`: the HTTP API and the queue workers in one process, on the embedded defaults.
import { appDeps, buildApp } from './app.js'
import { loadConfig } from './config.js'
import { createRuntime } from './runtime.js'
import { onShutdown } from './shutdown.js'

const config = loadConfig(process.env)
const runtime = await createRuntime(config, { warm: ['tts', 'batch'] })
if (config.bootstrapApiKey) await runtime.accounts.ensure('default', config.bootstrapApiKey)
const app = await buildApp(appDeps(runtime))
runtime.startWorkers()

// Stop accepting, let in-flight requests finish, then stop workers, threads and the database.
onShutdown(
  app.log,
  async () => {
    await app.close()
    await runtime.close()
  },
  10_000,
)

await app.listen({ host: config.host, port: config.port })
