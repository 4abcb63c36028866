import { BinaryResponse, JsonStream, jsonLines } from '../../core/binary.js'
import { apiPromise, type ApiPromise, type HttpClient, type HttpRequest } from '../../core/http.js'
import type { RequestOptions } from '../../core/options.js'
import type * as S from '../../../domains/tts/tts.schemas.js'
import type { PostedTts, ReturnTts, TtsOutput } from '../../types/tts.js'
import { StreamInputClient } from './stream-input.js'
import { VoicesClient } from './voices.js'

export { StreamInputClient, StreamInputSocket } from './stream-input.js'
export { VoicesClient } from './voices.js'
export { decodeBase64 } from '../../core/base64.js'

/**
 * `client.tts`: Octave text-to-speech, the voice library, and the stream-input socket. hume@0.16.0's
 * `convertVoiceFile` / `convertVoiceJson` are absent: the server has no voice-conversion routes.
 */
export class TtsClient {
  /** Saved and preset voices. */
  readonly voices: VoicesClient
  /** The `/v0/tts/stream/input` socket. */
  readonly streamInput: StreamInputClient

  constructor(private readonly http: HttpClient) {
    this.voices = new VoicesClient(http)
    this.streamInput = new StreamInputClient(http)
  }

  /** Synthesizes speech and returns it as JSON with base64 audio per generation (`POST /v0/tts`). */
  synthesizeJson(request: PostedTts, requestOptions?: RequestOptions): ApiPromise<ReturnTts> {
    return this.http.json<S.ReturnTts>(post('/v0/tts', request), requestOptions)
  }

  /** Synthesizes speech as one audio file in `format` (`POST /v0/tts/file`): read it whole or as a stream. */
  synthesizeFile(request: PostedTts, requestOptions?: RequestOptions): ApiPromise<BinaryResponse> {
    return this.binary(post('/v0/tts/file', request), requestOptions)
  }

  /**
   * Streams the audio bytes as they are synthesized (`POST /v0/tts/stream/file`): `.stream()` is a
   * `ReadableStream`, and `for await` gives `Uint8Array` chunks; leaving the loop early stops the server.
   */
  synthesizeFileStreaming(request: PostedTts, requestOptions?: RequestOptions): ApiPromise<BinaryResponse> {
    return this.binary(post('/v0/tts/stream/file', request), requestOptions)
  }

  /**
   * Streams `TtsOutput` messages (audio chunks with base64 audio, timestamps) as they are synthesized
   * (`POST /v0/tts/stream/json`, one JSON object per line): `for await`, or `toReadableStream()`.
   */
  synthesizeJsonStreaming(request: PostedTts, requestOptions?: RequestOptions): ApiPromise<JsonStream<TtsOutput>> {
    return apiPromise(
      this.http.raw(post('/v0/tts/stream/json', request), requestOptions).then((res) => ({
        data: new JsonStream<TtsOutput>(jsonLines<S.TtsOutput>(body(res)), res),
        rawResponse: res,
      })),
    )
  }

  private binary(req: HttpRequest, requestOptions?: RequestOptions): ApiPromise<BinaryResponse> {
    return apiPromise(
      this.http.raw(req, requestOptions).then((res) => ({ data: new BinaryResponse(res), rawResponse: res })),
    )
  }
}

function post(path: string, request: PostedTts): HttpRequest {
  return { method: 'POST', path, body: request }
}

function body(res: Response): ReadableStream<Uint8Array> {
  if (!res.body) throw new Error('The server sent no body')
  return res.body
}
