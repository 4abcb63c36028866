/** A WebSocket constructor as browsers, Deno, Bun, Node 22 and the `ws` package provide it. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket

export interface ClientOptions {
  /** Sent as `X-Hume-Api-Key` (and as `api_key` on socket URLs). */
  apiKey?: string
  /** An OAuth access token from `POST /oauth2-cc/token`, sent as `Authorization: Bearer`; or a function that returns one. */
  accessToken?: string | (() => string | Promise<string>)
  /** The server, e.g. `http://127.0.0.1:8000` (the default). */
  baseUrl?: string
  /** The official SDK's name for `baseUrl`, accepted so that `new HumeClient({...})` options carry over. */
  environment?: string
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
