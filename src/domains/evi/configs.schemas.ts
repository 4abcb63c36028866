import { Type, type Static, type TSchema } from 'typebox'
import { NO_NUL, Uuid } from '../../shared/http/schemas.js'
import {
  BUILTIN_TOOL_NAMES,
  LANGUAGE_MODELS,
  MODEL_PROVIDERS,
  VOICE_PROVIDERS,
  WEBHOOK_EVENTS,
} from './config-enums.js'
import { ReturnPrompt, MAX_PROMPT_TEXT } from './prompts.schemas.js'
import { ReturnUserDefinedTool } from './tools.schemas.js'
import { Name, VersionDescription } from './versions.schemas.js'

const Enum = <T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))))
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
/** The definition types these lists as `list<optional<X>>`: null items are accepted and dropped. */
const ListOf = <T extends TSchema>(t: T) => Type.Array(Nullable(t), { maxItems: 100 })

/** Hume documents 30 to 1,800 seconds for both timeouts. */
const TimeoutSecs = Type.Integer({ minimum: 30, maximum: 1800 })
const PostedTimeout = Type.Object({ enabled: Type.Boolean(), duration_secs: Type.Optional(Nullable(TimeoutSecs)) })
const EventMessage = Type.Object({
  enabled: Type.Boolean(),
  text: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
})
const PromptExpansion = Type.Object({ enabled: Type.Optional(Type.Boolean()) })
const Provider = Enum(VOICE_PROVIDERS)

/** A referenced version; versions are int4 columns, so a larger number fails in PostgreSQL. */
const RefVersion = Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 2147483647 })))

export const PostedConfigPromptSpec = Type.Object({
  id: Type.Optional(Uuid),
  version: RefVersion,
  text: Type.Optional(Type.String({ maxLength: MAX_PROMPT_TEXT })),
  prompt_expansion: Type.Optional(PromptExpansion),
})
export const PostedUserDefinedToolSpec = Type.Object({
  id: Uuid,
  version: RefVersion,
})
export const VoiceRef = Type.Union([
  Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }), provider: Type.Optional(Provider) }),
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 256, pattern: NO_NUL }),
    provider: Type.Optional(Provider),
  }),
])
export type VoiceRef = Static<typeof VoiceRef>

const ConfigSections = {
  evi_version: Type.String({ pattern: '^[0-9]+(-[a-z]+)?$', maxLength: 16 }),
  version_description: Type.Optional(VersionDescription),
  prompt: Type.Optional(PostedConfigPromptSpec),
  tools: Type.Optional(ListOf(PostedUserDefinedToolSpec)),
  voice: Type.Optional(VoiceRef),
  builtin_tools: Type.Optional(
    ListOf(
      Type.Object({
        name: Enum(BUILTIN_TOOL_NAMES),
        fallback_content: Type.Optional(Type.String({ maxLength: 10_000 })),
      }),
    ),
  ),
  language_model: Type.Optional(
    Type.Object({
      model_provider: Type.Optional(Enum(MODEL_PROVIDERS)),
      // A URL names a custom language model's endpoint (called through the SSRF guard); the SDK's enum
      // only has `custom-language-model`, for which PROSODIA_CLM_URL says where.
      model_resource: Type.Optional(
        Type.Union([Enum(LANGUAGE_MODELS), Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2048 })]),
      ),
      temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    }),
  ),
  ellm_model: Type.Optional(Type.Object({ allow_short_responses: Type.Optional(Type.Boolean()) })),
  event_messages: Type.Optional(
    Type.Object({
      on_new_chat: Type.Optional(EventMessage),
      on_inactivity_timeout: Type.Optional(EventMessage),
      on_max_duration_timeout: Type.Optional(EventMessage),
    }),
  ),
  timeouts: Type.Optional(
    Type.Object({ inactivity: Type.Optional(PostedTimeout), max_duration: Type.Optional(PostedTimeout) }),
  ),
  nudges: Type.Optional(
    Type.Object({
      enabled: Type.Optional(Type.Boolean()),
      interval_secs: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    }),
  ),
  turn_detection: Type.Optional(
    Type.Object({
      end_of_turn_silence_ms: Type.Optional(Type.Integer({ minimum: 500, maximum: 3000 })),
      prefix_padding_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
      speech_detection_threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    }),
  ),
  interruption: Type.Optional(
    Type.Object({ min_interruption_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })) }),
  ),
  webhooks: Type.Optional(
    ListOf(
      Type.Object({
        // A host is required: `http://` alone is a valid URI but nothing to call.
        url: Type.String({ format: 'uri', pattern: '^https?://[^/?#\\s]+', maxLength: 2048 }),
        events: Type.Array(Enum(WEBHOOK_EVENTS), { minItems: 1, maxItems: 3, uniqueItems: true }),
      }),
    ),
  ),
}

export const PostedConfig = Type.Object({ name: Name, ...ConfigSections })
export const PostedConfigVersion = Type.Object(ConfigSections)
export type PostedConfigVersion = Static<typeof PostedConfigVersion>

export const ReturnVoice = Type.Object({
  id: Type.String(),
  name: Type.String(),
  provider: Provider,
  compatible_octave_models: Type.Optional(Type.Array(Type.String())),
})
export type ReturnVoice = Static<typeof ReturnVoice>

const ReturnTimeout = Type.Object({ enabled: Type.Boolean(), duration_secs: Nullable(Type.Integer()) })

export const ReturnConfig = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  version_description: Nullable(Type.String()),
  name: Type.String(),
  created_on: Type.Integer(),
  modified_on: Type.Integer(),
  evi_version: Type.String(),
  prompt: Nullable(ReturnPrompt),
  tools: Type.Array(Nullable(ReturnUserDefinedTool)),
  voice: Nullable(ReturnVoice),
  builtin_tools: Type.Array(
    Type.Object({ tool_type: Type.Literal('BUILTIN'), name: Type.String(), fallback_content: Nullable(Type.String()) }),
  ),
  language_model: Nullable(ConfigSections.language_model),
  ellm_model: Type.Object({ allow_short_responses: Type.Boolean() }),
  event_messages: Type.Object({
    on_new_chat: Type.Object({ enabled: Type.Boolean(), text: Nullable(Type.String()) }),
    on_inactivity_timeout: Type.Object({ enabled: Type.Boolean(), text: Nullable(Type.String()) }),
    on_max_duration_timeout: Type.Object({ enabled: Type.Boolean(), text: Nullable(Type.String()) }),
  }),
  timeouts: Type.Object({ inactivity: ReturnTimeout, max_duration: ReturnTimeout }),
  nudges: Type.Object({ enabled: Type.Boolean(), interval_secs: Nullable(Type.Integer()) }),
  turn_detection: Nullable(ConfigSections.turn_detection),
  interruption: Nullable(ConfigSections.interruption),
  webhooks: Type.Array(Type.Object({ url: Type.String(), events: Type.Array(Type.String()) })),
})
export type ReturnConfig = Static<typeof ReturnConfig>
