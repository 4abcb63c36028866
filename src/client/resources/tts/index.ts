import type { HttpClient } from '../../core/http.js'

/** `client.tts`: Octave text-to-speech, the voice library, and the stream-input socket. */
export class TtsClient {
  constructor(private readonly http: HttpClient) {}
}
