import { expect } from 'vitest'
import WebSocket from 'ws'
import { ProsodiaClient, ProsodiaError } from '../../src/client/index.js'
import type { ClientOptions } from '../../src/client/index.js'
import type { WebSocketConstructor } from '../../src/client/core/options.js'
import type { Dialect } from '../../src/shared/storage/db.js'
import { createTestApp, listen, type TestApp, type TestAppOptions } from './app.js'

export interface ClientHarness {
  t: TestApp
  baseUrl: string
  /** The Prosodia client as alice, with no retries: a 5xx fails the test at once. */
  client: ProsodiaClient
  /** Another client for the same server (bob by default, or any options). */
  clientAs: (who: 'alice' | 'bob', options?: Partial<ClientOptions>) => ProsodiaClient
  close: () => Promise<void>
}

/** Node 20 has no global WebSocket; `ws` provides the browser API the client expects. */
export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor

/** The app on an ephemeral port and the client pointed at it exactly as a user would. */
export async function startClientHarness(
  dialect: Dialect = 'sqlite',
  opts: TestAppOptions = {},
): Promise<ClientHarness> {
  const t = await createTestApp(dialect, opts)
  const baseUrl = await listen(t.app)
  const clientAs = (who: 'alice' | 'bob', options: Partial<ClientOptions> = {}) =>
    new ProsodiaClient({
      apiKey: (who === 'alice' ? t.alice : t.bob).api_key,
      baseUrl,
      maxRetries: 0,
      WebSocket: NodeWebSocket,
      ...options,
    })
  const close = async () => {
    const closing = t.close()
    // After a client cancels a streamed response, undici opens a spare connection that sends nothing; the
    // server would wait for it until its connection timeout. Tests are over: drop every connection.
    t.app.server.closeAllConnections()
    await closing
  }
  return { t, baseUrl, client: clientAs('alice'), clientAs, close }
}

/** The ProsodiaError a call rejects with (the test fails if it resolves, or rejects with anything else). */
export async function errorOf(p: Promise<unknown>): Promise<ProsodiaError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(ProsodiaError)
  return e as ProsodiaError
}

/** Every item of an async iterable (a Page walked with for await, a stream). */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of iterable) out.push(x)
  return out
}
