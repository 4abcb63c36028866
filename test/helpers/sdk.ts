import { expect } from 'vitest'
import { HumeClient } from 'hume'
import type { Dialect } from '../../src/shared/storage/db.js'
import { createTestApp, listen, type TestApp } from './app.js'
import { recordingFetch, type Exchange } from './wire.js'

export interface SdkHarness {
  t: TestApp
  baseUrl: string
  /** The official SDK, authenticated as alice, recording every response it receives. */
  client: HumeClient
  evi: HumeClient['empathicVoice']
  /** Responses received since the last call (and forgets them). */
  take: () => Exchange[]
  /** Plain fetch against the same server as alice, for routes the SDK no longer has. */
  fetchAs: (path: string, init?: RequestInit, who?: 'alice' | 'bob') => Promise<Response>
}

/** The app on an ephemeral port, and the SDK pointed at it exactly as a user would. */
export async function startSdkHarness(dialect: Dialect): Promise<SdkHarness> {
  const t = await createTestApp(dialect)
  const baseUrl = await listen(t.app)
  const recorder = recordingFetch()
  // No retries: a 5xx must fail the test at once rather than be retried into a pass.
  const client = new HumeClient({ apiKey: t.alice.api_key, environment: baseUrl, fetch: recorder.fetch, maxRetries: 0 })
  return {
    t,
    baseUrl,
    client,
    evi: client.empathicVoice,
    take: recorder.take,
    fetchAs: (path, init = {}, who = 'alice') =>
      fetch(`${baseUrl}${path}`, {
        ...init,
        headers: { ...t.auth(who), ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
      }),
  }
}

/** Drains an SDK pager (`for await`), counting the items. */
export async function drain<T>(pager: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = []
  for await (const item of pager) items.push(item)
  return items
}

/** The SDK types most responses as optional; a test that needs one asserts it is there. */
export function defined<T>(value: T | undefined): T {
  expect(value).toBeDefined()
  return value as T
}
