/**
 * GET /metrics (Prometheus text format) and the hooks that feed it: request counts and latencies
 * per route pattern, and WebSocket connections per route.
 *
 * Who may scrape: the metrics reveal traffic shapes (which products are used, how much, by how many
 * sockets, queue backlogs), so they are not public. With PROSODIA_METRICS_TOKEN set, a scrape must
 * send `Authorization: Bearer <token>` (from anywhere). Without it, only clients on the loopback
 * interface may scrape, and only directly: a request carrying proxy headers (X-Forwarded-For,
 * Forwarded, X-Real-IP) is refused, because a reverse proxy on the same host makes every public
 * client look local.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { errors } from './errors.js'
import type { Metrics } from './metrics-registry.js'

export interface MetricsOptions {
  /** PROSODIA_METRICS_TOKEN: the Bearer token scrapes must send; unset: loopback clients only. */
  token?: string | undefined
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'] as const

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Throws the API's 401/403 unless this request may read the metrics. */
function authorize(request: FastifyRequest, token: string | undefined): void {
  if (token) {
    const auth = request.headers.authorization
    const given = auth && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined
    if (!given) throw errors.unauthorized('Missing credentials: send the metrics token as a Bearer token')
    // Equal-length digests: the comparison time says nothing about the token.
    if (!timingSafeEqual(digest(given), digest(token))) throw errors.unauthorized('Invalid credentials')
    return
  }
  const local = LOOPBACK.test(request.socket.remoteAddress ?? '')
  if (!local || PROXY_HEADERS.some((h) => request.headers[h] !== undefined))
    throw errors.forbidden('Metrics are served to loopback clients only unless PROSODIA_METRICS_TOKEN is set')
}

const statusClass = (status: number) => `${Math.floor(status / 100)}xx`

/**
 * Installs the request hooks on the root instance (every route, registered before or after) and the
 * /metrics route. Call after @fastify/websocket is registered, so sockets are counted.
 */
export function installMetrics(app: FastifyInstance, metrics: Metrics, opts: MetricsOptions = {}): void {
  // Requests without a route (404s, bad URLs) share one label: a raw URL would be unbounded.
  const routeOf = (request: FastifyRequest) => request.routeOptions.url ?? 'unmatched'

  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: routeOf(request), status_class: statusClass(reply.statusCode) }
    metrics.httpRequests.inc(labels)
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000)
  })

  // The ws server sees the raw request only; the route pattern is noted when Fastify routes it.
  const socketRoutes = new WeakMap<object, string>()
  app.addHook('onRequest', async (request) => {
    if ((request as { ws?: boolean }).ws === true) socketRoutes.set(request.raw, routeOf(request))
  })
  const wss = (app as { websocketServer?: import('ws').WebSocketServer }).websocketServer
  wss?.on('connection', (socket, raw) => {
    const route = socketRoutes.get(raw)
    if (route === undefined) return
    metrics.websockets.inc({ route })
    socket.once('close', () => metrics.websockets.dec({ route }))
  })

  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    authorize(request, opts.token)
    const text = await metrics.scrape()
    return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text)
  })
}
