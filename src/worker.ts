// `npm run worker`: the queue workers (batch jobs, callbacks) without the API, for running workers
// apart from API processes. Several may run against one database (or Redis); each job runs once.
// With PROSODIA_METRICS_PORT it also serves /metrics, /healthz and /readyz for scrapers and probes.
import { VERSION } from './app.js'
import { configOrExit } from './config.js'
import { createRuntime } from './runtime.js'
import { buildOpsServer } from './shared/http/ops-server.js'
import { onShutdown, startOrExit } from './shutdown.js'

const config = configOrExit(process.env)
const runtime = await startOrExit(() => createRuntime(config, { warm: ['batch'] }))
const ops =
  config.metricsPort === undefined
    ? undefined
    : await buildOpsServer({
        log: runtime.log,
        metrics: runtime.metrics,
        metricsToken: config.metricsToken,
        readiness: runtime.readiness,
        health: runtime.health,
        version: VERSION,
      })
const worker = runtime.startWorkers()
if (ops) await startOrExit(() => ops.listen({ host: config.host, port: config.metricsPort }))
runtime.log.info(
  {
    jobs: worker.names,
    threads: runtime.pools.batch.threads,
    ops: ops && `http://${config.host}:${config.metricsPort}`,
  },
  'queue worker started',
)

// Jobs in progress finish, or past the deadline are reclaimed by another worker when their lease ends.
onShutdown(
  runtime.log,
  async () => {
    await ops?.close()
    await runtime.close()
  },
  30_000,
)
