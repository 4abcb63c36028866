import type { Static } from 'typebox'
import type { Camelize } from '../core/casing.js'
import type * as S from '../../domains/tts/tts.schemas.js'

// The wire schemas' static types, camelCased (see types/evi.ts).

export type VoiceProvider = S.Provider
export type TimestampType = S.TimestampType
export type PostedTts = Camelize<Static<typeof S.PostedTts>>
export type PostedUtterance = Camelize<Static<typeof S.PostedUtterance>>
export type PostedUtteranceVoice = Camelize<Static<typeof S.PostedUtteranceVoice>>
export type AudioFormatType = NonNullable<PostedTts['format']>['type']
export type OctaveVersion = NonNullable<PostedTts['version']>
export type ReturnTts = Camelize<Static<typeof S.ReturnTts>>
export type ReturnGeneration = Camelize<Static<typeof S.ReturnGeneration>>
export type Snippet = Camelize<Static<typeof S.Snippet>>
export type Timestamp = Camelize<S.Timestamp>

// The server builds its streamed messages without a TypeBox schema; these come from its interfaces.
export type SnippetAudioChunk = Camelize<S.SnippetAudioChunk>
export type TimestampMessage = Camelize<S.TimestampMessage>
/** One message of `synthesizeJsonStreaming` and of the stream-input socket. */
export type TtsOutput = Camelize<S.TtsOutput>

export type ReturnVoice = Camelize<Static<typeof S.ReturnVoice>>
export type ReturnPagedVoices = Camelize<Static<typeof S.ReturnPagedVoices>>
export type PostedVoice = Camelize<Static<typeof S.PostedVoice>>
export type VoicesDeleteRequest = Camelize<Static<typeof S.VoicesDeleteQuery>>

type ListQuery = Camelize<Static<typeof S.VoicesListQuery>>
/** `GET /v0/tts/voices`: the server defaults page number (0) and size (10), so they are optional here. */
export type VoicesListRequest = Omit<ListQuery, 'pageNumber' | 'pageSize'> &
  Partial<Pick<ListQuery, 'pageNumber' | 'pageSize'>>

/**
 * A client message on `/v0/tts/stream/input`. The server's `PublishTts` schema (src/domains/tts/tts.ws.ts) is
 * not exported, so this is built from the utterance schema it extends: every utterance field but `text`
 * optional, plus `flush` (speak what is buffered) and `close` (speak the rest, then close the socket).
 */
export type PublishTts = Partial<PostedUtterance> & { flush?: boolean; close?: boolean }

/**
 * Query parameters of `/v0/tts/stream/input` (the server's `StreamQuery` in tts.ws.ts, also not exported), as
 * hume's `StreamInputClient.ConnectArgs` names them. `apiKey` / `accessToken` override the client's own.
 */
export interface StreamInputConnectArgs {
  contextGenerationId?: string
  formatType?: AudioFormatType
  includeTimestampTypes?: TimestampType | TimestampType[]
  instantMode?: boolean
  /** The server sends audio only as JSON unless this is `false`; then each chunk also comes as a binary frame. */
  noBinary?: boolean
  stripHeaders?: boolean
  version?: OctaveVersion
  apiKey?: string
  accessToken?: string
}
