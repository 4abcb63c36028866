/** A WebSocket constructor as browsers, Deno, Bun, Node 22 and the `ws` package provide it. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket

/** A value, or a function returning it (called for each request, so a rotated key is picked up). */
export type Supplier<T> = T | (() => T | Promise<T>)

export interface ClientOptions {
  /** Sent as `X-Hume-Api-Key` (and as `api_key` on socket URLs); or a function that returns one. */
  apiKey?: Supplier<string>
  /** An OAuth access token from `POST /oauth2-cc/token`, sent as `Authorization: Bearer`; or a function that returns one. */
  accessToken?: Supplier<string>
  /** The server, e.g. `http://127.0.0.1:8000` (the default); or a function that returns it. */
  baseUrl?: string | (() => string)
  /**
   * The official SDK's name for `baseUrl`, accepted so that `new HumeClient({...})` options carry over; its
   * `{ base, evi, tts, stream }` form too (every product is served from `base` here).
   */
  environment?: string | { base: string } | (() => string | { base: string })
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch
  /** Defaults to the global `WebSocket`; Node 20 has none, so pass `WebSocket` from the `ws` package there. */
  WebSocket?: WebSocketConstructor
  /** Per attempt; default 60. */
  timeoutInSeconds?: number
  /** Retries on 408, 429, 5xx and connection failures; default 2. */
  maxRetries?: number
  /** Sent with every request. */
  headers?: Record<string, string>
}

export interface RequestOptions {
  timeoutInSeconds?: number
  maxRetries?: number
  abortSignal?: AbortSignal
  headers?: Record<string, string>
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8000'
export const DEFAULT_TIMEOUT_SECONDS = 60
export const DEFAULT_MAX_RETRIES = 2
