// `npm start`: the HTTP API and the queue workers in one process, on the embedded defaults.
import { buildApp, appDeps } from './app.js'
import { loadConfig } from './config.js'
import { createRuntime } from './runtime.js'

const config = loadConfig(process.env)
const runtime = await createRuntime(config, { warm: ['tts', 'batch'] })
if (config.bootstrapApiKey) await runtime.accounts.ensure('default', config.bootstrapApiKey)
const app = await buildApp(appDeps(runtime))
runtime.startWorkers()

let closing = false
async function shutdown(signal: string): Promise<void> {
  if (closing) return
  closing = true
  app.log.info({ signal }, 'shutting down')
  // Stop accepting, let in-flight requests finish, then stop workers, threads and the database.
  const timer = setTimeout(() => process.exit(1), 10_000).unref()
  await app.close()
  await runtime.close()
  clearTimeout(timer)
  process.exit(0)
}
process.once('SIGTERM', () => void shutdown('SIGTERM'))
process.once('SIGINT', () => void shutdown('SIGINT'))

await app.listen({ host: config.host, port: config.port })
