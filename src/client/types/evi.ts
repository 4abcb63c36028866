import type { Static } from 'typebox'
import type { Camelize } from '../core/casing.js'
import type * as P from '../../domains/evi/prompts.schemas.js'
import type * as T from '../../domains/evi/tools.schemas.js'
import type * as C from '../../domains/evi/configs.schemas.js'
import type * as V from '../../domains/evi/custom-voices.schemas.js'
import type * as H from '../../domains/evi/history/history.schemas.js'
import type * as M from '../../domains/evi/chat/chat.messages.js'
import type { ConnectSettings } from '../../domains/evi/chat/chat.query.js'
import type { PageQuery } from '../../shared/http/pagination.js'

// Pattern for every type here: the wire schema's static type, camelCased.
export type PostedPrompt = Camelize<Static<typeof P.PostedPrompt>>
export type PostedPromptVersion = Camelize<Static<typeof P.PostedPromptVersion>>
export type ReturnPrompt = Camelize<Static<typeof P.ReturnPrompt>>

export type PostedUserDefinedTool = Camelize<Static<typeof T.PostedUserDefinedTool>>
export type PostedUserDefinedToolVersion = Camelize<Static<typeof T.PostedUserDefinedToolVersion>>
export type ReturnUserDefinedTool = Camelize<Static<typeof T.ReturnUserDefinedTool>>

/**
 * A request type that also takes `undefined` wherever the wire takes `null`: JSON sends an undefined list
 * item as null, and hume types a config's lists as `(X | undefined)[]`, so its requests compile here too.
 */
export type NullableAsOptional<T> = T extends null
  ? T | undefined
  : T extends readonly (infer U)[]
    ? NullableAsOptional<U>[]
    : T extends object
      ? { [K in keyof T]: NullableAsOptional<T[K]> }
      : T
export type PostedConfig = NullableAsOptional<Camelize<Static<typeof C.PostedConfig>>>
export type PostedConfigVersion = NullableAsOptional<Camelize<Static<typeof C.PostedConfigVersion>>>
export type ReturnConfig = Camelize<Static<typeof C.ReturnConfig>>
export type VoiceRef = Camelize<Static<typeof C.VoiceRef>>

export type PostedCustomVoice = Camelize<Static<typeof V.PostedCustomVoice>>
export type ReturnCustomVoice = Camelize<Static<typeof V.ReturnCustomVoice>>

// Renames and descriptions: the routes build these bodies inline (versions.routes.ts), from these fields.
export interface PostedName {
  name: string
}
export interface PostedVersionDescription {
  versionDescription?: string
}
export type PostedPromptName = PostedName
export type PostedUserDefinedToolName = PostedName
export type PostedConfigName = PostedName
export type PostedCustomVoiceName = PostedName
export type PostedPromptVersionDescription = PostedVersionDescription
export type PostedUserDefinedToolVersionDescription = PostedVersionDescription
export type PostedConfigVersionDescription = PostedVersionDescription

/** A page query as every EVI listing takes it (`page_number` from 0, `page_size` 1..100). */
export type PageRequest = Partial<Camelize<PageQuery>>
/** The versioned resources' list query (versions.routes.ts builds it from PageQuery). */
export type ListVersionedRequest = PageRequest & { name?: string; restrictToMostRecent?: boolean }
export type ListVersionsRequest = PageRequest & { restrictToMostRecent?: boolean }
export type ListCustomVoicesRequest = PageRequest & { name?: string }

/** A versioned resource's page: the route names its array `<resource>_page` (versions.routes.ts). */
export type Paged<K extends string, Item> = { pageNumber: number; pageSize: number; totalPages: number } & {
  [key in K]: Item[]
}
export type ReturnPagedPrompts = Paged<'promptsPage', ReturnPrompt>
export type ReturnPagedUserDefinedTools = Paged<'toolsPage', ReturnUserDefinedTool>
export type ReturnPagedConfigs = Paged<'configsPage', ReturnConfig>
export type ReturnPagedCustomVoices = Paged<'customVoicesPage', ReturnCustomVoice>

// ---- history: /v0/evi/chats and /v0/evi/chat_groups --------------------------------------------

export type ChatsListChatsRequest = Partial<Camelize<Static<typeof H.ChatsQuery>>>
export type ChatsListChatEventsRequest = Partial<Camelize<Static<typeof H.HistoryPageQuery>>>
export type ChatGroupsListChatGroupsRequest = Partial<Camelize<Static<typeof H.ChatGroupsQuery>>>
export type ChatGroupsGetChatGroupRequest = Partial<Camelize<Static<typeof H.ChatGroupQuery>>>
export type ChatGroupsListChatGroupEventsRequest = ChatsListChatEventsRequest
export type ChatGroupsGetAudioRequest = ChatsListChatEventsRequest

export type ReturnChat = Camelize<Static<typeof H.ReturnChat>>
export type ReturnChatEvent = Camelize<Static<typeof H.ReturnChatEvent>>
export type ReturnPagedChats = Camelize<Static<typeof H.ReturnPagedChats>>
export type ReturnChatPagedEvents = Camelize<Static<typeof H.ReturnChatPagedEvents>>
export type ReturnChatGroup = Camelize<Static<typeof H.ReturnChatGroup>>
export type ReturnPagedChatGroups = Camelize<Static<typeof H.ReturnPagedChatGroups>>
export type ReturnChatGroupPagedChats = Camelize<Static<typeof H.ReturnChatGroupPagedChats>>
export type ReturnChatGroupPagedEvents = Camelize<Static<typeof H.ReturnChatGroupPagedEvents>>
export type ReturnChatAudioReconstruction = Camelize<Static<typeof H.ReturnChatAudioReconstruction>>
export type ReturnChatGroupPagedAudioReconstructions = Camelize<
  Static<typeof H.ReturnChatGroupPagedAudioReconstructions>
>

// ---- the chat socket's client messages (chat.messages.ts ClientMessages) --------------------------

type ClientMessages = typeof M.ClientMessages
type ClientMessage<K extends keyof ClientMessages> = Camelize<Static<ClientMessages[K]>>

export type AudioInput = ClientMessage<'audio_input'>
export type SessionSettings = ClientMessage<'session_settings'>
export type UserInput = ClientMessage<'user_input'>
export type AssistantInput = ClientMessage<'assistant_input'>
export type ToolResponseMessage = ClientMessage<'tool_response'>
export type ToolErrorMessage = ClientMessage<'tool_error'>
export type PauseAssistantMessage = ClientMessage<'pause_assistant_message'>
export type ResumeAssistantMessage = ClientMessage<'resume_assistant_message'>
/** Anything a chat client may send. */
export type PublishEvent = { [K in keyof ClientMessages]: ClientMessage<K> }[keyof ClientMessages]
/** What the control plane relays (control.schemas.ts): every client message but `audio_input`. */
export type ControlPlanePublishEvent = Exclude<PublishEvent, AudioInput>

/** `session_settings` given when the chat opens, sent in the URL (chat.query.ts parses them). */
export type ConnectSessionSettings = Camelize<ConnectSettings>

// ---- the chat socket's server messages ---------------------------------------------------------
// Hand-written: the server builds these ad hoc (chat.messages.ts `serverMessages`, control.schemas.ts
// `errorMessage`), so there is no schema to derive them from. They list exactly what those builders send.

/** Emotion name → score; present only when the server sends scores (PROSODIA_EVI_PROSODY_SCORES). */
export type EmotionScores = Record<string, number>
export interface Inference {
  prosody?: { scores: EmotionScores }
}
interface WithSession {
  /** Echoed when the session has one. */
  customSessionId?: string
}

export interface ChatMetadata extends WithSession {
  type: 'chat_metadata'
  chatId: string
  chatGroupId: string
  requestId: string
}
export interface UserMessage extends WithSession {
  type: 'user_message'
  message: { role: 'user'; content: string }
  models: Inference
  time: { begin: number; end: number }
  fromText: boolean
  interim: boolean
  language?: string
}
export interface AssistantMessage extends WithSession {
  type: 'assistant_message'
  id: string
  message: { role: 'assistant'; content: string }
  models: Inference
  fromText: boolean
  isQuickResponse: boolean
}
export interface AssistantProsody extends WithSession {
  type: 'assistant_prosody'
  id: string
  models: Inference
}
export interface AudioOutput extends WithSession {
  type: 'audio_output'
  /** The assistant_message this audio speaks. */
  id: string
  /** Chunks of one message count from 0. */
  index: number
  /** Base64 WAV. */
  data: string
}
export interface AssistantEnd extends WithSession {
  type: 'assistant_end'
}
export interface UserInterruption extends WithSession {
  type: 'user_interruption'
  time: number
}
export interface ToolCallMessage extends WithSession {
  type: 'tool_call'
  name: string
  parameters: string
  toolCallId: string
  toolType: 'builtin' | 'function'
  responseRequired: boolean
}
export interface WebSocketError extends WithSession {
  type: 'error'
  code: string
  slug: string
  message: string
  requestId?: string
}

/** Every message the chat socket (and a control plane connection) receives. */
export type SubscribeEvent =
  | ChatMetadata
  | UserMessage
  | AssistantMessage
  | AssistantProsody
  | AudioOutput
  | AssistantEnd
  | UserInterruption
  | ToolCallMessage
  | WebSocketError
