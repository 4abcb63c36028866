import type { HttpClient, QueryValue } from '../../core/http.js'
import { ProsodiaSocket, socketUrl, webSocketImpl } from '../../core/socket.js'
import type { PublishTts, SnippetAudioChunk, StreamInputConnectArgs, TtsOutput } from '../../types/tts.js'
import { decodeBase64 } from '../../core/base64.js'

/**
 * The `/v0/tts/stream/input` socket: send text as it comes (`sendPublish`), receive `TtsOutput` messages
 * (audio chunks with base64 audio, and timestamps). Complete sentences are spoken as they arrive; `flush()`
 * speaks what is buffered, `end()` speaks the rest and lets the server close the socket.
 *
 * ```ts
 * const socket = await client.tts.streamInput.connect({ formatType: 'pcm' })
 * await socket.waitForOpen()
 * socket.sendPublish({ text: 'Hello there. ', voice: { name: 'Kora', provider: 'HUME_AI' } })
 * socket.end()
 * for await (const bytes of socket.audio()) play(bytes)
 * ```
 */
export class StreamInputSocket extends ProsodiaSocket<PublishTts, TtsOutput> {
  /** Sends text and/or settings (voice, description, speed, trailing silence) for the text that follows. */
  sendPublish(message: PublishTts): void {
    this.sendJson(message)
  }

  /** Speaks whatever text is buffered now, even without a sentence end. */
  flush(): void {
    this.sendJson({ flush: true })
  }

  /**
   * Speaks the rest and asks the server to close the socket once all audio is sent (`{ close: true }`).
   * Resolves with the close event; read the messages meanwhile with `on('message')` or `for await`.
   */
  end(): Promise<{ code: number; reason: string }> {
    this.sendJson({ close: true })
    return this.closed()
  }

  /** The audio chunks from now until the socket closes, with the chunk's bytes decoded. */
  async *audioChunks(): AsyncGenerator<{ chunk: SnippetAudioChunk; bytes: Uint8Array }, void, undefined> {
    for await (const message of this) {
      if (message.type === 'audio') yield { chunk: message, bytes: decodeBase64(message.audio) }
    }
  }

  /** Just the audio bytes, chunk by chunk, until the socket closes (timestamps are skipped). */
  async *audio(): AsyncGenerator<Uint8Array, void, undefined> {
    for await (const { bytes } of this.audioChunks()) yield bytes
  }
}

/** `client.tts.streamInput`: opens stream-input sockets on the client's server. */
export class StreamInputClient {
  constructor(private readonly http: HttpClient) {}

  /**
   * Opens `/v0/tts/stream/input` (hume's `StreamInputClient.connect`). Authenticates by query parameter, as
   * browsers must; returns at once, so `await socket.waitForOpen()` before sending.
   */
  async connect(args: StreamInputConnectArgs = {}): Promise<StreamInputSocket> {
    const { apiKey, accessToken, ...rest } = args
    const query: Record<string, QueryValue> = {}
    // The server reads booleans as the strings 'true' / 'false', which String(value) gives.
    for (const [key, value] of Object.entries(rest)) query[key] = value as QueryValue
    const url = new URL(await socketUrl(this.http, '/v0/tts/stream/input', query))
    // Credentials passed to connect() win over the client's own, as in hume's SDK.
    if (accessToken !== undefined || apiKey !== undefined) {
      url.searchParams.delete('api_key')
      url.searchParams.delete('access_token')
      if (accessToken !== undefined) url.searchParams.set('access_token', accessToken)
      else url.searchParams.set('api_key', apiKey as string)
    }
    return new StreamInputSocket(url.toString(), webSocketImpl(this.http))
  }
}
