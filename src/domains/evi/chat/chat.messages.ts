/**
 * The chat socket's wire: client messages as TypeBox schemas (checked by the app's one validator;
 * unknown properties are ignored so a newer SDK's additions do not break a chat) and builders for
 * every server message, in the shapes of hume@0.16.0's SubscribeEvent. Nothing else is ever sent.
 */
import { Type, type Static } from 'typebox'

const Str = (max: number) => Type.String({ maxLength: max })
const Optional = Type.Optional
/** Hume's clients send `null` for fields they clear. */
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
const SessionId = Optional(Nullable(Str(256)))

export const MAX_TOOLS = 64

export const AudioSettings = Type.Object({
  channels: Optional(Type.Integer({ minimum: 1, maximum: 8 })),
  codec: Optional(Type.Union([Str(64), Type.Null()])),
  encoding: Optional(Type.Union([Type.Literal('linear16'), Type.Null()])),
  sample_rate: Optional(Type.Integer({ minimum: 8000, maximum: 192_000 })),
})
export type AudioSettings = Static<typeof AudioSettings>

export const SessionTool = Type.Object({
  type: Type.Union([Type.Literal('function'), Type.Literal('builtin')]),
  name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  parameters: Str(100_000),
  description: Optional(Type.Union([Str(10_000), Type.Null()])),
  fallback_content: Optional(Type.Union([Str(10_000), Type.Null()])),
})
export type SessionTool = Static<typeof SessionTool>

export const BuiltinToolSetting = Type.Object({
  name: Type.Union([Type.Literal('web_search'), Type.Literal('hang_up')]),
  fallback_content: Optional(Type.Union([Str(10_000), Type.Null()])),
})

export const ContextSetting = Type.Object({
  text: Str(1_000_000),
  type: Optional(Type.Union([Type.Literal('persistent'), Type.Literal('temporary'), Type.Literal('editable')])),
})

const Variables = Type.Record(
  Type.String({ maxLength: 256 }),
  Type.Union([Str(100_000), Type.Number(), Type.Boolean()]),
)

export const SessionSettingsMessage = Type.Object({
  type: Type.Literal('session_settings'),
  custom_session_id: SessionId,
  audio: Optional(Type.Union([AudioSettings, Type.Null()])),
  builtin_tools: Optional(Type.Union([Type.Array(BuiltinToolSetting, { maxItems: 2 }), Type.Null()])),
  context: Optional(Type.Union([ContextSetting, Type.Null()])),
  language_model_api_key: Optional(Nullable(Str(4096))),
  metadata: Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  system_prompt: Optional(Nullable(Str(1_000_000))),
  tools: Optional(Type.Union([Type.Array(SessionTool, { maxItems: MAX_TOOLS }), Type.Null()])),
  variables: Optional(Type.Union([Variables, Type.Null()])),
  voice_id: Optional(Nullable(Str(256))),
})
export type SessionSettingsMessage = Static<typeof SessionSettingsMessage>

const Text = <T extends string>(type: T) =>
  Type.Object({ type: Type.Literal(type), custom_session_id: SessionId, text: Str(1_000_000) })

export const ClientMessages = {
  audio_input: Type.Object({ type: Type.Literal('audio_input'), custom_session_id: SessionId, data: Type.String() }),
  session_settings: SessionSettingsMessage,
  user_input: Text('user_input'),
  assistant_input: Text('assistant_input'),
  tool_response: Type.Object({
    type: Type.Literal('tool_response'),
    custom_session_id: SessionId,
    tool_call_id: Str(256),
    content: Str(1_000_000),
    tool_name: Optional(Nullable(Str(256))),
    tool_type: Optional(Type.Union([Type.Literal('builtin'), Type.Literal('function'), Type.Null()])),
  }),
  tool_error: Type.Object({
    type: Type.Literal('tool_error'),
    custom_session_id: SessionId,
    tool_call_id: Str(256),
    error: Str(100_000),
    code: Optional(Nullable(Str(256))),
    content: Optional(Nullable(Str(1_000_000))),
    level: Optional(Nullable(Str(16))),
    tool_type: Optional(Type.Union([Type.Literal('builtin'), Type.Literal('function'), Type.Null()])),
  }),
  pause_assistant_message: Type.Object({ type: Type.Literal('pause_assistant_message'), custom_session_id: SessionId }),
  resume_assistant_message: Type.Object({
    type: Type.Literal('resume_assistant_message'),
    custom_session_id: SessionId,
  }),
}

export type ClientMessageType = keyof typeof ClientMessages
export type ClientMessage = { [K in ClientMessageType]: Static<(typeof ClientMessages)[K]> }[ClientMessageType]
export type ToolResponse = Static<(typeof ClientMessages)['tool_response']>
export type ToolErrorMessage = Static<(typeof ClientMessages)['tool_error']>

// ---- server messages -------------------------------------------------------------------------

export type Scores = Record<string, number>

/** Hume's 48 emotions, as EmotionScores names them. */
export const HUME_EMOTIONS = [
  'Admiration',
  'Adoration',
  'Aesthetic Appreciation',
  'Amusement',
  'Anger',
  'Anxiety',
  'Awe',
  'Awkwardness',
  'Boredom',
  'Calmness',
  'Concentration',
  'Confusion',
  'Contemplation',
  'Contempt',
  'Contentment',
  'Craving',
  'Desire',
  'Determination',
  'Disappointment',
  'Disgust',
  'Distress',
  'Doubt',
  'Ecstasy',
  'Embarrassment',
  'Empathic Pain',
  'Entrancement',
  'Envy',
  'Excitement',
  'Fear',
  'Guilt',
  'Horror',
  'Interest',
  'Joy',
  'Love',
  'Nostalgia',
  'Pain',
  'Pride',
  'Realization',
  'Relief',
  'Romance',
  'Sadness',
  'Satisfaction',
  'Shame',
  'Surprise (negative)',
  'Surprise (positive)',
  'Sympathy',
  'Tiredness',
  'Triumph',
] as const

/**
 * The scores as the socket sends them (PROSODIA_EVI_PROSODY_SCORES): none, or all 48 names with the
 * unmeasured ones at 0 (the SDK's schema requires every name; see config.ts).
 */
export function socketScores(scores: Scores | undefined, mode: 'omit' | 'zero_filled'): Scores | undefined {
  if (!scores || mode === 'omit') return undefined
  return Object.fromEntries(HUME_EMOTIONS.map((n) => [n, scores[n] ?? 0]))
}
type Models = { prosody?: { scores: Scores } }
const models = (scores?: Scores): Models => (scores ? { prosody: { scores } } : {})

export interface ToolCall {
  name: string
  parameters: string
  tool_call_id: string
  tool_type: 'builtin' | 'function'
  response_required: boolean
}

/** Adds `custom_session_id` when the session has one (Hume echoes it on every message). */
export type Outgoing = Record<string, unknown> & { type: string }

export const serverMessages = {
  chatMetadata: (o: { chatId: string; chatGroupId: string; requestId: string }): Outgoing => ({
    type: 'chat_metadata',
    chat_id: o.chatId,
    chat_group_id: o.chatGroupId,
    request_id: o.requestId,
  }),
  userMessage: (o: {
    text: string
    interim: boolean
    fromText: boolean
    beginMs: number
    endMs: number
    scores?: Scores
    language?: string
  }): Outgoing => ({
    type: 'user_message',
    message: { role: 'user', content: o.text },
    models: models(o.scores),
    time: { begin: Math.round(o.beginMs), end: Math.round(o.endMs) },
    from_text: o.fromText,
    interim: o.interim,
    ...(o.language ? { language: o.language } : {}),
  }),
  assistantMessage: (o: { id: string; text: string; fromText: boolean }): Outgoing => ({
    type: 'assistant_message',
    id: o.id,
    message: { role: 'assistant', content: o.text },
    models: {},
    from_text: o.fromText,
    is_quick_response: false,
  }),
  assistantProsody: (o: { id: string; scores: Scores }): Outgoing => ({
    type: 'assistant_prosody',
    id: o.id,
    models: models(o.scores),
  }),
  audioOutput: (o: { id: string; index: number; data: string }): Outgoing => ({
    type: 'audio_output',
    id: o.id,
    index: o.index,
    data: o.data,
  }),
  assistantEnd: (): Outgoing => ({ type: 'assistant_end' }),
  userInterruption: (timeMs: number): Outgoing => ({ type: 'user_interruption', time: Math.round(timeMs) }),
  toolCall: (c: ToolCall): Outgoing => ({ type: 'tool_call', ...c }),
  error: (o: { code: string; slug: string; message: string; requestId?: string }): Outgoing => ({
    type: 'error',
    code: o.code,
    slug: o.slug,
    message: o.message,
    ...(o.requestId ? { request_id: o.requestId } : {}),
  }),
}
