// `npm run worker`: the queue workers (batch jobs, callbacks) without HTTP, for running workers
// apart from API processes. Several may run against one database; each job runs once.
import { configOrExit } from './config.js'
import { createRuntime } from './runtime.js'
import { onShutdown } from './shutdown.js'

const config = configOrExit(process.env)
const runtime = await createRuntime(config, { warm: ['batch'] })
const worker = runtime.startWorkers()
runtime.log.info({ jobs: worker.names, threads: runtime.pools.batch.threads }, 'queue worker started')

// Jobs in progress finish, or past the deadline are reclaimed by another worker when their lease ends.
onShutdown(runtime.log, () => runtime.close(), 30_000)
