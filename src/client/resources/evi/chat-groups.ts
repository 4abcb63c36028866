import { encodePath, type ApiPromise, type HttpClient } from '../../core/http.js'
import type { RequestOptions } from '../../core/options.js'
import type { Page } from '../../core/pager.js'
import type {
  ChatGroupsGetAudioRequest,
  ChatGroupsGetChatGroupRequest,
  ChatGroupsListChatGroupEventsRequest,
  ChatGroupsListChatGroupsRequest,
  ReturnChatEvent,
  ReturnChatGroup,
  ReturnChatGroupPagedAudioReconstructions,
  ReturnChatGroupPagedChats,
  ReturnChatGroupPagedEvents,
  ReturnPagedChatGroups,
} from '../../types/evi.js'
import { asQuery, jsonAs, pagerOf } from './versioned.js'

const groupPath = (id: string) => `/v0/evi/chat_groups/${encodePath(id)}`

/** `client.empathicVoice.chatGroups`: chats that resume one another, `/v0/evi/chat_groups`. */
export class ChatGroupsClient {
  constructor(private readonly http: HttpClient) {}

  /** Lists the account's chat groups (`GET /v0/evi/chat_groups`); `for await` walks every page. */
  listChatGroups(
    request: ChatGroupsListChatGroupsRequest = {},
    requestOptions?: RequestOptions,
  ): Promise<Page<ReturnChatGroup, ReturnPagedChatGroups>> {
    return pagerOf<ReturnPagedChatGroups, ReturnChatGroup>(
      this.http,
      '/v0/evi/chat_groups',
      request,
      requestOptions,
      (r) => r.chatGroupsPage,
    )
  }

  /** A chat group with one page of its chats (`GET /v0/evi/chat_groups/{id}`), as hume@0.16.0 returns it. */
  getChatGroup(
    id: string,
    request: ChatGroupsGetChatGroupRequest = {},
    requestOptions?: RequestOptions,
  ): ApiPromise<ReturnChatGroupPagedChats> {
    return jsonAs(this.http, { method: 'GET', path: groupPath(id), query: asQuery(request) }, requestOptions)
  }

  /** One page of the audio of a group's chats (`GET /v0/evi/chat_groups/{id}/audio`), as hume@0.16.0 returns it. */
  getAudio(
    id: string,
    request: ChatGroupsGetAudioRequest = {},
    requestOptions?: RequestOptions,
  ): ApiPromise<ReturnChatGroupPagedAudioReconstructions> {
    const path = `${groupPath(id)}/audio`
    return jsonAs(this.http, { method: 'GET', path, query: asQuery(request) }, requestOptions)
  }

  /** The events of every chat in a group (`GET /v0/evi/chat_groups/{id}/events`); `for await` walks every page. */
  listChatGroupEvents(
    id: string,
    request: ChatGroupsListChatGroupEventsRequest = {},
    requestOptions?: RequestOptions,
  ): Promise<Page<ReturnChatEvent, ReturnChatGroupPagedEvents>> {
    const path = `${groupPath(id)}/events`
    return pagerOf<ReturnChatGroupPagedEvents, ReturnChatEvent>(
      this.http,
      path,
      request,
      requestOptions,
      (r) => r.eventsPage,
    )
  }
}
