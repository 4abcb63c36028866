import type { HttpClient } from '../../core/http.js'

/** `client.empathicVoice`: EVI's tools, prompts, configs, custom voices, chats, chat groups and sockets. */
export class EmpathicVoiceClient {
  constructor(private readonly http: HttpClient) {}
}
