import { encodePath, type ApiPromise, type HttpClient } from '../../core/http.js'
import type { RequestOptions } from '../../core/options.js'
import { ProsodiaSocket, socketUrl, webSocketImpl } from '../../core/socket.js'
import type { ControlPlanePublishEvent, SubscribeEvent } from '../../types/evi.js'

/** hume@0.16.0's `ControlPlaneClient.ConnectArgs` (its `chat_id` spelling included). */
export interface ControlPlaneConnectArgs {
  chat_id: string
  /** Overrides the client's credentials for this socket. */
  accessToken?: string
  /** Accepted for hume's ConnectArgs; this socket never reconnects. */
  reconnectAttempts?: number
  /** Accepted for hume's ConnectArgs; no effect. */
  debug?: boolean
}

/**
 * A second socket onto a running chat started with `allowConnection: true`: it receives what the chat
 * sends its own client and may send anything but audio. The server closes it when the chat ends.
 */
export class ControlPlaneSocket extends ProsodiaSocket<ControlPlanePublishEvent, SubscribeEvent> {
  /** Sends a message to the chat as if its own client had sent it. */
  sendPublish(message: ControlPlanePublishEvent): void {
    this.sendJson(message)
  }
}

/** `client.empathicVoice.controlPlane`: steers a running chat from elsewhere (a server, a supervisor). */
export class ControlPlaneClient {
  constructor(private readonly http: HttpClient) {}

  /** Hands one message to a running chat (`POST /v0/evi/chat/{chat_id}/send`); 404 once it has ended. */
  send(chatId: string, request: ControlPlanePublishEvent, requestOptions?: RequestOptions): ApiPromise<void> {
    return this.http.void(
      { method: 'POST', path: `/v0/evi/chat/${encodePath(chatId)}/send`, body: request },
      requestOptions,
    )
  }

  /** Attaches to a running chat (`/v0/evi/chat/{chat_id}/connect`); `await socket.waitForOpen()` next. */
  async connect(args: ControlPlaneConnectArgs): Promise<ControlPlaneSocket> {
    const path = `/v0/evi/chat/${encodePath(args.chat_id)}/connect`
    const url =
      args.accessToken === undefined
        ? await socketUrl(this.http, path)
        : this.http.url(path, { access_token: args.accessToken }).replace(/^http/, 'ws')
    return new ControlPlaneSocket(url, webSocketImpl(this.http))
  }
}
