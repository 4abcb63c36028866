/**
 * The integration project's globalSetup: with PROSODIA_TEST_ENGINES=redis,s3 (either or both) it
 * starts ONE redis-server and ONE s3rver for the whole run and provides their addresses to the test
 * files (`inject('engines')`, read by test/helpers/engines.ts); every test app then runs its queue on
 * BullMQ and its blobs on S3 under prefixes of its own. Unset: nothing starts and every app keeps the
 * default engines (the SQL queue, the local blob dir).
 *
 * provide/inject rather than process.env: the values reach every worker (forks or threads) whenever
 * it starts, and a test file cannot change them for the others.
 */
import type { TestProject } from 'vitest/node'
import { S3RVER_CREDENTIALS, startS3Server, type S3TestServer } from '../integration/shared/s3-server.js'
import type { S3Config } from '../../src/shared/storage/s3-config.js'
import { startRedis, type TestRedis } from './redis.js'

/** What this setup hands the test files (structured-cloned into each worker). */
export interface ProvidedEngines {
  redisUrl: string | undefined
  s3: (S3Config & { credentials: { accessKeyId: string; secretAccessKey: string } }) | undefined
}

const KNOWN = ['redis', 's3'] as const

/** PROSODIA_TEST_ENGINES: a comma-separated subset of redis,s3; a typo fails the run rather than testing nothing. */
export function parseTestEngines(value: string | undefined): { redis: boolean; s3: boolean } {
  const names = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = names.filter((n) => !(KNOWN as readonly string[]).includes(n))
  if (unknown.length > 0)
    throw new Error(`PROSODIA_TEST_ENGINES: unknown engine(s) ${unknown.join(', ')}; known: redis, s3`)
  return { redis: names.includes('redis'), s3: names.includes('s3') }
}

declare module 'vitest' {
  export interface ProvidedContext {
    engines: ProvidedEngines
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = parseTestEngines(process.env.PROSODIA_TEST_ENGINES)
  let redis: TestRedis | undefined
  let s3: S3TestServer | undefined
  const stop = async () => {
    await s3?.close()
    await redis?.stop()
  }
  try {
    if (wanted.redis) redis = await startRedis()
    if (wanted.s3) s3 = await startS3Server()
  } catch (err) {
    await stop()
    throw err
  }
  project.provide('engines', {
    redisUrl: redis?.url,
    s3: s3 && { ...s3.config(), credentials: S3RVER_CREDENTIALS },
  })
  return stop
}
