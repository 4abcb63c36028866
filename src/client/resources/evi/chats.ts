import { encodePath, type ApiPromise, type HttpClient } from '../../core/http.js'
import type { RequestOptions } from '../../core/options.js'
import type { Page } from '../../core/pager.js'
import type {
  ChatsListChatEventsRequest,
  ChatsListChatsRequest,
  ReturnChat,
  ReturnChatAudioReconstruction,
  ReturnChatEvent,
  ReturnChatPagedEvents,
  ReturnPagedChats,
} from '../../types/evi.js'
import { jsonAs, pagerOf } from './versioned.js'

/** `client.empathicVoice.chats`: the history of past and running chats, `/v0/evi/chats`. */
export class ChatsClient {
  constructor(private readonly http: HttpClient) {}

  /** Lists the account's chats (`GET /v0/evi/chats`), oldest first unless `ascendingOrder: false`. */
  listChats(
    request: ChatsListChatsRequest = {},
    requestOptions?: RequestOptions,
  ): Promise<Page<ReturnChat, ReturnPagedChats>> {
    return pagerOf<ReturnPagedChats, ReturnChat>(
      this.http,
      '/v0/evi/chats',
      request,
      requestOptions,
      (r) => r.chatsPage,
    )
  }

  /** A chat's events (`GET /v0/evi/chats/{id}`); `for await` walks every page, `page.response` has the chat. */
  listChatEvents(
    id: string,
    request: ChatsListChatEventsRequest = {},
    requestOptions?: RequestOptions,
  ): Promise<Page<ReturnChatEvent, ReturnChatPagedEvents>> {
    const path = `/v0/evi/chats/${encodePath(id)}`
    return pagerOf<ReturnChatPagedEvents, ReturnChatEvent>(
      this.http,
      path,
      request,
      requestOptions,
      (r) => r.eventsPage,
    )
  }

  /**
   * The chat's recorded audio (`GET /v0/evi/chats/{id}/audio`): its reconstruction status and, once
   * `COMPLETE`, a `signedAudioUrl` that downloads the file without the API key.
   */
  getAudio(id: string, requestOptions?: RequestOptions): ApiPromise<ReturnChatAudioReconstruction> {
    return jsonAs(this.http, { method: 'GET', path: `/v0/evi/chats/${encodePath(id)}/audio` }, requestOptions)
  }
}
