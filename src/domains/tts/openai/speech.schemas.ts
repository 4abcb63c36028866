// Wire schemas of OpenAI's POST /v1/audio/speech (openai@5 `SpeechCreateParams`) and its error body.
// Enumerated fields are plain strings here and checked by the handler: a union of literals fails
// with one "must be equal to constant" per member, where a client needs "opus is not supported".
import { Type, type Static } from 'typebox'

/** OpenAI's documented limit on `input`. */
export const MAX_INPUT = 4096
/** Acting instructions are read for delivery cues only; this bounds what one request carries. */
export const MAX_INSTRUCTIONS = 4096
/** Voice names and ids of the library are at most 256 characters (PostedUtteranceVoice). */
const MAX_VOICE = 256

export const PostedSpeech = Type.Object({
  model: Type.String({ minLength: 1, maxLength: 256 }),
  input: Type.String({ maxLength: MAX_INPUT }),
  voice: Type.String({ minLength: 1, maxLength: MAX_VOICE }),
  instructions: Type.Optional(Type.String({ maxLength: MAX_INSTRUCTIONS })),
  response_format: Type.Optional(Type.String({ maxLength: 16 })),
  speed: Type.Optional(Type.Number({ minimum: 0.25, maximum: 4 })),
  stream_format: Type.Optional(Type.String({ maxLength: 16 })),
})
export type PostedSpeech = Static<typeof PostedSpeech>

export const OpenAiError = Type.Object({
  error: Type.Object({
    message: Type.String(),
    type: Type.String(),
    param: Type.Union([Type.String(), Type.Null()]),
    code: Type.Union([Type.String(), Type.Null()]),
  }),
})

/** Every error status the route answers, all in OpenAI's shape. */
export const openAiErrorResponses = {
  400: OpenAiError,
  401: OpenAiError,
  404: OpenAiError,
  413: OpenAiError,
  415: OpenAiError,
  429: OpenAiError,
  503: OpenAiError,
} as const
