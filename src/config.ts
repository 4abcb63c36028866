import path from 'node:path'

/** Everything the server reads from its environment, validated once at start-up. */
export interface Config {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  /** `postgres://...` selects PostgreSQL; otherwise SQLite in `dataDir`. */
  readonly databaseUrl: string | undefined
  /** If set, an account authenticated by this key is ensured at start (dev and CI). */
  readonly bootstrapApiKey: string | undefined
  readonly logLevel: string
  /** Largest accepted request body, bytes. */
  readonly bodyLimit: number
  /** Lifetime of `/oauth2-cc/token` access tokens, seconds. */
  readonly tokenTtlSeconds: number
  readonly modelsDir: string
  /** Hosts or CIDRs that outbound fetches may reach even though they are private (SSRF allow-list). */
  readonly fetchAllowList: readonly string[]
  /** Bytes of serialised EVI list pages kept per process (0: off); the database keeps them correct. */
  readonly pageCacheBytes: number
  /** Inference worker threads of the batch API; undefined: one per core; 0: in-process. */
  readonly expressionThreads: number | undefined
  /** How long a claimed queue job stays leased: how soon a job held by a killed process runs again. */
  readonly queueLeaseMs: number | undefined
}

export class ConfigError extends Error {}

function optionalInteger(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  return env[name] === undefined || env[name] === '' ? undefined : integer(env, name, 0, min, max)
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`)
  }
  return value
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.PROSODIA_DATA_DIR || './data')
  const databaseUrl = env.DATABASE_URL || undefined
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl) && !databaseUrl.startsWith('sqlite:')) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL (or sqlite:PATH)')
  }
  return Object.freeze({
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 8000, 0, 65535),
    dataDir,
    databaseUrl,
    bootstrapApiKey: env.PROSODIA_API_KEY || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimit: integer(env, 'PROSODIA_BODY_LIMIT', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    tokenTtlSeconds: integer(env, 'PROSODIA_TOKEN_TTL_SECONDS', 1800, 1, 86400 * 30),
    modelsDir: path.resolve(env.PROSODIA_MODELS_DIR || path.join(dataDir, 'models')),
    fetchAllowList: Object.freeze(
      (env.PROSODIA_FETCH_ALLOW || '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    pageCacheBytes: integer(env, 'PROSODIA_PAGE_CACHE_BYTES', 32 * 1024 * 1024, 0, 1024 * 1024 * 1024),
    expressionThreads: optionalInteger(env, 'PROSODIA_EXPRESSION_THREADS', 0, 256),
    queueLeaseMs: optionalInteger(env, 'PROSODIA_QUEUE_LEASE_MS', 1000, 3_600_000),
  })
}
