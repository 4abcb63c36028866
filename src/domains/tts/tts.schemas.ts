// Wire schemas of ../shared/hume-api/fern/definition/tts, reconciled with the hume@0.16.0 SDK
// (which also sends `temperature` and requires id/name/provider on ReturnVoice).
import { Type, type Static } from 'typebox'

export const MAX_TEXT = 5000
export const MAX_DESCRIPTION = 1000
/** Hume does not publish a count limit; this bounds the work one request can ask for. */
export const MAX_UTTERANCES = 50

const Provider = Type.Union([Type.Literal('HUME_AI'), Type.Literal('CUSTOM_VOICE')])
export type Provider = Static<typeof Provider>

export const PostedUtteranceVoice = Type.Union([
  Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }), provider: Type.Optional(Provider) }),
  Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }), provider: Type.Optional(Provider) }),
])
export type PostedUtteranceVoice = Static<typeof PostedUtteranceVoice>

export const PostedUtterance = Type.Object({
  text: Type.String({ maxLength: MAX_TEXT }),
  description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION })),
  voice: Type.Optional(PostedUtteranceVoice),
  speed: Type.Optional(Type.Number({ minimum: 0.5, maximum: 2 })),
  trailing_silence: Type.Optional(Type.Number({ minimum: 0, maximum: 5 })),
})
export type PostedUtterance = Static<typeof PostedUtterance>

const AudioFormatType = Type.Union([Type.Literal('mp3'), Type.Literal('pcm'), Type.Literal('wav')])
const TimestampType = Type.Union([Type.Literal('word'), Type.Literal('phoneme')])
export type TimestampType = Static<typeof TimestampType>

export const PostedTts = Type.Object({
  utterances: Type.Array(PostedUtterance, { minItems: 1, maxItems: MAX_UTTERANCES }),
  context: Type.Optional(
    Type.Union([
      Type.Object({ generation_id: Type.String({ minLength: 1, maxLength: 64 }) }),
      Type.Object({ utterances: Type.Array(PostedUtterance, { minItems: 1, maxItems: MAX_UTTERANCES }) }),
    ]),
  ),
  format: Type.Optional(Type.Object({ type: AudioFormatType })),
  include_timestamp_types: Type.Optional(Type.Array(TimestampType, { maxItems: 2 })),
  num_generations: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  split_utterances: Type.Optional(Type.Boolean()),
  strip_headers: Type.Optional(Type.Boolean()),
  instant_mode: Type.Optional(Type.Boolean()),
  version: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('2')])),
  /** Sent by the SDK though absent from the definition: scales the per-generation voice variation. */
  temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
})
export type PostedTts = Static<typeof PostedTts>

const Timestamp = Type.Object({
  text: Type.String(),
  time: Type.Object({ begin: Type.Integer(), end: Type.Integer() }),
  type: TimestampType,
})
export type Timestamp = Static<typeof Timestamp>

export const Snippet = Type.Object({
  audio: Type.String(),
  generation_id: Type.String(),
  id: Type.String(),
  text: Type.String(),
  timestamps: Type.Array(Timestamp),
  transcribed_text: Type.Optional(Type.String()),
  utterance_index: Type.Optional(Type.Integer()),
})
export type Snippet = Static<typeof Snippet>

export const ReturnGeneration = Type.Object({
  audio: Type.String(),
  duration: Type.Number(),
  encoding: Type.Object({ format: AudioFormatType, sample_rate: Type.Integer() }),
  file_size: Type.Integer(),
  generation_id: Type.String(),
  snippets: Type.Array(Type.Array(Snippet)),
})
export type ReturnGeneration = Static<typeof ReturnGeneration>

export const ReturnTts = Type.Object({
  generations: Type.Array(ReturnGeneration),
  request_id: Type.Optional(Type.String()),
})
export type ReturnTts = Static<typeof ReturnTts>

export interface SnippetAudioChunk {
  type: 'audio'
  audio: string
  audio_format: 'mp3' | 'pcm' | 'wav'
  chunk_index: number
  generation_id: string
  is_last_chunk: boolean
  request_id: string
  snippet_id: string
  text: string
  utterance_index: number
  snippet?: Snippet
}

export interface TimestampMessage {
  type: 'timestamp'
  generation_id: string
  request_id: string
  snippet_id: string
  timestamp: Timestamp
}

export type TtsOutput = SnippetAudioChunk | TimestampMessage

export const ReturnVoice = Type.Object({
  id: Type.String(),
  name: Type.String(),
  provider: Provider,
  compatible_octave_models: Type.Optional(Type.Array(Type.String())),
})
export type ReturnVoice = Static<typeof ReturnVoice>

export const ReturnPagedVoices = Type.Object({
  page_number: Type.Integer(),
  page_size: Type.Integer(),
  total_pages: Type.Integer(),
  voices_page: Type.Array(ReturnVoice),
})

export const VoicesListQuery = Type.Object({
  provider: Provider,
  page_number: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  page_size: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  ascending_order: Type.Optional(Type.Boolean()),
  filter_tag: Type.Optional(
    Type.Union([Type.String({ maxLength: 128 }), Type.Array(Type.String({ maxLength: 128 }), { maxItems: 20 })]),
  ),
})
export type VoicesListQuery = Static<typeof VoicesListQuery>

export const PostedVoice = Type.Object({
  generation_id: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.String({ minLength: 1, maxLength: 256 }),
})
export type PostedVoice = Static<typeof PostedVoice>

export const VoicesDeleteQuery = Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }) })
