import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { ProsodiaClient, ProsodiaError } from '../../src/client/index.js'
import { bodyMessage } from '../../src/client/core/errors.js'

const KEY = 'prosodia.apiKey'

export function storedKey(): string | null {
  return localStorage.getItem(KEY)
}

export function storeKey(key: string | null): void {
  if (key === null) localStorage.removeItem(KEY)
  else localStorage.setItem(KEY, key)
}

/** The console is a client of the public API like any other: the project's own client, on this origin. */
export function clientFor(apiKey: string): ProsodiaClient {
  return new ProsodiaClient({ apiKey, baseUrl: location.origin, maxRetries: 1 })
}

export const ClientContext = createContext<ProsodiaClient | null>(null)

export function useClient(): ProsodiaClient {
  const client = useContext(ClientContext)
  if (!client) throw new Error('useClient outside the signed-in console')
  return client
}

/** What a banner says about a failure: the API's own message, with its status. */
export function describeError(error: unknown): string {
  if (error instanceof ProsodiaError) {
    const message = bodyMessage(error.body) ?? error.message
    return error.statusCode !== undefined ? `${message} (${error.statusCode})` : message
  }
  return error instanceof Error ? error.message : String(error)
}
