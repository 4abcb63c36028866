// `npm run worker`: the queue workers (batch jobs, callbacks) without HTTP, for running workers
// apart from API processes. Several may run against one database; each job runs once.
import { loadConfig } from './config.js'
import { createRuntime } from './runtime.js'

const config = loadConfig(process.env)
const runtime = await createRuntime(config, { warm: ['batch'] })
const worker = runtime.startWorkers()
runtime.log.info({ jobs: worker.names, threads: runtime.pools.batch.threads }, 'queue worker started')

let closing = false
async function shutdown(signal: string): Promise<void> {
  if (closing) return
  closing = true
  runtime.log.info({ signal }, 'shutting down')
  // Jobs in progress finish (or, past the deadline, are reclaimed by another worker when their lease ends).
  const timer = setTimeout(() => process.exit(1), 30_000).unref()
  await runtime.close()
  clearTimeout(timer)
  process.exit(0)
}
process.once('SIGTERM', () => void shutdown('SIGTERM'))
process.once('SIGINT', () => void shutdown('SIGINT'))
