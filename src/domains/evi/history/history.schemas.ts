/**
 * Wire schemas of `/v0/evi/chats` and `/v0/evi/chat_groups`, after hume@0.16.0's serializers
 * (ReturnChat, ReturnChatEvent, ReturnChatGroup, ReturnChatAudioReconstruction and their pages).
 * Response schemas list exactly the SDK's keys: the SDK parses strictly in its own tests.
 */
import { Type, type Static, type TSchema } from 'typebox'
import { PageQuery } from '../../../shared/http/pagination.js'
import { Uuid } from '../../../shared/http/schemas.js'

export const CHAT_STATUSES = [
  'ACTIVE',
  'USER_ENDED',
  'USER_TIMEOUT',
  'MAX_DURATION_TIMEOUT',
  'INACTIVITY_TIMEOUT',
  'ERROR',
] as const
/** A union of string literals, typed as the union of those strings. */
const Enum = <T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))))

export const ChatStatus = Enum(CHAT_STATUSES)

const Direction = Enum(['ASC', 'DESC'] as const)
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

/** `ascending_order` defaults to true on every history list (oldest first). */
const Ordered = { ...PageQuery.properties, ascending_order: Type.Boolean({ default: true }) }
export const HistoryPageQuery = Type.Object(Ordered)
export const ChatsQuery = Type.Object({ ...Ordered, config_id: Type.Optional(Uuid), status: Type.Optional(ChatStatus) })
export const ChatGroupsQuery = Type.Object({ ...Ordered, config_id: Type.Optional(Uuid) })
export const ChatGroupQuery = Type.Object({ ...Ordered, status: Type.Optional(ChatStatus) })
export type HistoryPageQuery = Static<typeof HistoryPageQuery>
export type ChatsQuery = Static<typeof ChatsQuery>
export type ChatGroupsQuery = Static<typeof ChatGroupsQuery>
export type ChatGroupQuery = Static<typeof ChatGroupQuery>

/** The signed download's query: checked by the route itself, so a bad one answers 403 like a forged one. */
export const SignedAudioQuery = Type.Object({
  expires: Type.Optional(Type.String({ maxLength: 32 })),
  signature: Type.Optional(Type.String({ maxLength: 128 })),
})

const ConfigSpec = Type.Object({ id: Type.String(), version: Type.Optional(Type.Integer()) })

export const ReturnChat = Type.Object({
  id: Type.String(),
  chat_group_id: Type.String(),
  status: ChatStatus,
  start_timestamp: Type.Integer(),
  end_timestamp: Nullable(Type.Integer()),
  event_count: Type.Integer(),
  /** Stringified JSON given when the chat started, or null. */
  metadata: Nullable(Type.String()),
  config: Type.Union([ConfigSpec, Type.Null()]),
})
export type ReturnChat = Static<typeof ReturnChat>

export const ReturnChatEvent = Type.Object({
  id: Type.String(),
  chat_id: Type.String(),
  timestamp: Type.Integer(),
  role: Type.String(),
  type: Type.String(),
  /** Hume's examples send "" rather than null for an event without text, scores or metadata. */
  message_text: Type.String(),
  emotion_features: Type.String(),
  metadata: Type.String(),
  related_event_id: Type.Optional(Type.String()),
})
export type ReturnChatEvent = Static<typeof ReturnChatEvent>

const Paging = {
  page_number: Type.Integer(),
  page_size: Type.Integer(),
  total_pages: Type.Integer(),
  pagination_direction: Direction,
}

export const ReturnPagedChats = Type.Object({ ...Paging, chats_page: Type.Array(ReturnChat) })

/** The chat with a page of its events: ReturnChat's fields but `event_count` (the SDK has none there). */
const { event_count: _count, ...chatFields } = ReturnChat.properties
export const ReturnChatPagedEvents = Type.Object({
  ...chatFields,
  ...Paging,
  events_page: Type.Array(ReturnChatEvent),
})

export const ReturnChatGroup = Type.Object({
  id: Type.String(),
  first_start_timestamp: Type.Integer(),
  most_recent_start_timestamp: Type.Integer(),
  active: Type.Boolean(),
  most_recent_chat_id: Nullable(Type.String()),
  most_recent_config: Type.Optional(Type.Union([ConfigSpec, Type.Null()])),
  num_chats: Type.Integer(),
})
export type ReturnChatGroup = Static<typeof ReturnChatGroup>

export const ReturnPagedChatGroups = Type.Object({ ...Paging, chat_groups_page: Type.Array(ReturnChatGroup) })

export const ReturnChatGroupPagedChats = Type.Object({
  id: Type.String(),
  first_start_timestamp: Type.Integer(),
  most_recent_start_timestamp: Type.Integer(),
  num_chats: Type.Integer(),
  active: Type.Boolean(),
  ...Paging,
  chats_page: Type.Array(ReturnChat),
})

export const ReturnChatGroupPagedEvents = Type.Object({
  id: Type.String(),
  ...Paging,
  events_page: Type.Array(ReturnChatEvent),
})

export const AudioStatus = Enum(['QUEUED', 'IN_PROGRESS', 'COMPLETE', 'ERROR', 'CANCELLED'] as const)

export const ReturnChatAudioReconstruction = Type.Object({
  /** The chat's id. */
  id: Type.String(),
  /** The account's id. */
  user_id: Type.String(),
  status: AudioStatus,
  filename: Nullable(Type.String()),
  modified_at: Nullable(Type.Integer()),
  signed_audio_url: Nullable(Type.String()),
  signed_url_expiration_timestamp_millis: Nullable(Type.Integer()),
})
export type ReturnChatAudioReconstruction = Static<typeof ReturnChatAudioReconstruction>

export const ReturnChatGroupPagedAudioReconstructions = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  num_chats: Type.Integer(),
  ...Paging,
  audio_reconstructions_page: Type.Array(ReturnChatAudioReconstruction),
})
