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
export function clientFor(apiKey: string, onRefused?: () => void): ProsodiaClient {
  return new ProsodiaClient({
    apiKey,
    baseUrl: location.origin,
    maxRetries: 1,
    // A stored key the server now refuses (revoked, or another server's) sends the user back to sign-in.
    fetch: async (input, init) => {
      const res = await fetch(input, init)
      if (res.status === 401) onRefused?.()
      return res
    },
  })
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
    // A proxy's HTML error page is reduced to its text, and long bodies to their start.
    const raw = bodyMessage(error.body) ?? error.message
    const text = raw.includes('<')
      ? raw
          .replace(/<[^>]*>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim()
      : raw
    const message = text.length > 300 ? `${text.slice(0, 300)}…` : text
    return error.statusCode !== undefined ? `${message} (${error.statusCode})` : message
  }
  return error instanceof Error ? error.message : String(error)
}
