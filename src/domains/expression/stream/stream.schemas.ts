/**
 * Wire shapes of /v0/stream/models (hume@0.15.17 `expressionMeasurement.stream`): the client's
 * payload, checked strictly (Hume refuses unknown fields with E0101), and the three server
 * messages: model predictions, errors and warnings. `null` is accepted wherever a field is
 * optional, since some clients serialise unset fields as null.
 */
import { Type, type Static, type TSchema } from 'typebox'

const Opt = <T extends TSchema>(t: T) => Type.Optional(Type.Union([t, Type.Null()]))
/** "Model configuration is not currently available in streaming": `{}` only (any keys are ignored). */
const Empty = Type.Record(Type.String(), Type.Unknown())

export const StreamFace = Type.Object(
  {
    facs: Opt(Empty),
    descriptions: Opt(Empty),
    identify_faces: Opt(Type.Boolean()),
    fps_pred: Opt(Type.Number({ minimum: 0, maximum: 60 })),
    prob_threshold: Opt(Type.Number({ minimum: 0, maximum: 1 })),
    min_face_size: Opt(Type.Number({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
)
export type StreamFace = Static<typeof StreamFace>

/** Fern lists word, sentence, utterance and passage; the SDK types it as any string. */
export const STREAM_GRANULARITIES = ['word', 'sentence', 'utterance', 'passage', 'conversational_turn'] as const
export type StreamGranularity = (typeof STREAM_GRANULARITIES)[number]

export const StreamLanguage = Type.Object(
  {
    sentiment: Opt(Empty),
    toxicity: Opt(Empty),
    // Spelled out rather than mapped from STREAM_GRANULARITIES: a mapped array's static type is `never`.
    granularity: Opt(
      Type.Union([
        Type.Literal('word'),
        Type.Literal('sentence'),
        Type.Literal('utterance'),
        Type.Literal('passage'),
        Type.Literal('conversational_turn'),
      ]),
    ),
  },
  { additionalProperties: false },
)
export type StreamLanguage = Static<typeof StreamLanguage>

export const StreamModels = Type.Object(
  {
    face: Opt(StreamFace),
    prosody: Opt(Empty),
    language: Opt(StreamLanguage),
    burst: Opt(Empty),
    facemesh: Opt(Empty),
  },
  { additionalProperties: false },
)
export type StreamModels = Static<typeof StreamModels>

export const STREAM_WINDOW_MS = { min: 500, max: 10_000, default: 5000 } as const

export const StreamPayload = Type.Object(
  {
    data: Opt(Type.String()),
    models: Opt(StreamModels),
    stream_window_ms: Opt(Type.Number({ minimum: STREAM_WINDOW_MS.min, maximum: STREAM_WINDOW_MS.max })),
    reset_stream: Opt(Type.Boolean()),
    raw_text: Opt(Type.Boolean()),
    job_details: Opt(Type.Boolean()),
    payload_id: Opt(Type.String()),
  },
  { additionalProperties: false },
)
export type StreamPayload = Static<typeof StreamPayload>

// ---- server messages (plain types: built by this module, validated in tests with the SDK's schemas) ----

export interface EmotionScore {
  name: string
  score: number
}

export interface StreamFacePrediction {
  frame: number
  time: number
  bbox: { x: number; y: number; w: number; h: number }
  prob: number
  face_id: string
  emotions: EmotionScore[]
}

export interface StreamProsodyPrediction {
  time: { begin: number; end: number }
  emotions: EmotionScore[]
}

export interface StreamLanguagePrediction {
  text: string
  position: { begin: number; end: number }
  emotions: EmotionScore[]
}

export interface StreamModelOutputs {
  face?: { predictions: StreamFacePrediction[] }
  prosody?: { predictions: StreamProsodyPrediction[] }
  language?: { predictions: StreamLanguagePrediction[] }
}

/** What analysing one payload produced, before the session adds payload_id and job_details. */
export type StreamOutcome =
  | { kind: 'predictions'; models: StreamModelOutputs }
  | { kind: 'error'; code: string; error: string }
  | { kind: 'warning'; code: string; warning: string }

interface Envelope {
  payload_id?: string
  job_details?: { job_id: string }
}
export type StreamPredictionsMessage = Envelope & StreamModelOutputs
export type StreamErrorMessage = Envelope & { error: string; code: string }
export type StreamWarningMessage = Envelope & { warning: string; code: string }
export type StreamServerMessage = StreamPredictionsMessage | StreamErrorMessage | StreamWarningMessage
