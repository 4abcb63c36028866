import type { HttpClient } from '../../core/http.js'
import { ChatClient } from './chat.js'
import { ChatGroupsClient } from './chat-groups.js'
import { ChatsClient } from './chats.js'
import { ConfigsClient } from './configs.js'
import { ControlPlaneClient } from './control-plane.js'
import { CustomVoicesClient } from './custom-voices.js'
import { PromptsClient } from './prompts.js'
import { ToolsClient } from './tools.js'

export { ChatSocket, type ChatConnectArgs } from './chat.js'
export { ControlPlaneSocket, type ControlPlaneConnectArgs } from './control-plane.js'

/** `client.empathicVoice`: EVI's tools, prompts, configs, custom voices, chats, chat groups and sockets. */
export class EmpathicVoiceClient {
  readonly tools: ToolsClient
  readonly prompts: PromptsClient
  readonly configs: ConfigsClient
  /** Dropped by the official SDKs with EVI 3; Prosodia still serves them. */
  readonly customVoices: CustomVoicesClient
  readonly chats: ChatsClient
  readonly chatGroups: ChatGroupsClient
  readonly controlPlane: ControlPlaneClient
  /** The speech-to-speech socket: `chat.connect({ configId })`. */
  readonly chat: ChatClient

  constructor(http: HttpClient) {
    this.tools = new ToolsClient(http)
    this.prompts = new PromptsClient(http)
    this.configs = new ConfigsClient(http)
    this.customVoices = new CustomVoicesClient(http)
    this.chats = new ChatsClient(http)
    this.chatGroups = new ChatGroupsClient(http)
    this.controlPlane = new ControlPlaneClient(http)
    this.chat = new ChatClient(http)
  }
}
