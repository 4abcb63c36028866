/**
 * The operations endpoints of a process without the API (`npm run worker`): GET /metrics, /healthz
 * and /readyz on PROSODIA_METRICS_PORT, so workers are scraped and probed like API processes. Same
 * rules as the API's: metrics need the token or a direct loopback client; the probes are public.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { installErrorHandling } from './error-handler.js'
import { installMetrics } from './metrics.js'
import type { Metrics } from './metrics-registry.js'
import { registerReadinessRoute, type ReadinessCheck } from './readiness.js'
import type { HealthContributor } from './system.routes.js'

export interface OpsServerDeps {
  log: Logger
  metrics: Metrics
  metricsToken: string | undefined
  readiness: Record<string, ReadinessCheck>
  health: HealthContributor[]
  version: string
}

export async function buildOpsServer(deps: OpsServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'ops' }) as FastifyBaseLogger,
  })
  installErrorHandling(app)
  installMetrics(app, deps.metrics, { token: deps.metricsToken })
  registerReadinessRoute(app, deps.readiness)
  app.get('/healthz', async () => ({
    status: 'ok',
    version: deps.version,
    role: 'worker',
    ...Object.assign({}, ...deps.health.map((h) => h())),
  }))
  await app.ready()
  return app
}
