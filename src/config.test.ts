import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

describe('loadConfig', () => {
  it('defaults to 127.0.0.1:8000 with SQLite under ./data', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8000, databaseUrl: undefined, dataDir: path.resolve('data') })
    expect(Object.isFrozen(c)).toBe(true)
  })

  it('reads the documented variables', () => {
    const c = loadConfig({
      HOST: '0.0.0.0',
      PORT: '9000',
      PROSODIA_DATA_DIR: '/srv/prosodia',
      DATABASE_URL: 'postgres://u:p@db/prosodia',
      PROSODIA_API_KEY: 'k',
      PROSODIA_FETCH_ALLOW: '10.0.0.0/8, files.internal',
      PROSODIA_EXPRESSION_THREADS: '0',
      PROSODIA_QUEUE_LEASE_MS: '2000',
    })
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      dataDir: '/srv/prosodia',
      databaseUrl: 'postgres://u:p@db/prosodia',
      bootstrapApiKey: 'k',
      fetchAllowList: ['10.0.0.0/8', 'files.internal'],
      expressionThreads: 0,
      queueLeaseMs: 2000,
    })
  })

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PROSODIA_BODY_LIMIT', '-1'],
    ['DATABASE_URL', 'mysql://x'],
    ['PROSODIA_EXPRESSION_THREADS', 'abc'],
    ['PROSODIA_QUEUE_LEASE_MS', '5'],
    ['REDIS_URL', 'http://cache:6379'],
    ['REDIS_PREFIX', 'a:b'],
    ['PROSODIA_METRICS_PORT', '70000'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
  })

  it('reads the scale-out variables: Redis with its key prefix, the worker metrics port', () => {
    expect(loadConfig({})).toMatchObject({ redisUrl: undefined, redisPrefix: 'prosodia', metricsPort: undefined })
    const c = loadConfig({
      REDIS_URL: 'redis://:pw@cache:6379/2',
      REDIS_PREFIX: 'team-a',
      PROSODIA_METRICS_PORT: '9464',
    })
    expect(c).toMatchObject({ redisUrl: 'redis://:pw@cache:6379/2', redisPrefix: 'team-a', metricsPort: 9464 })
  })
})
