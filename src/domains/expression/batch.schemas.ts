/** Wire schemas of the Expression Measurement batch API (hume@0.15.17 / batch definition). */
import { Type, type Static } from 'typebox'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
/** "To include predictions for this model type, set this field to `{}`." */
const Unconfigurable = Nullable(Type.Record(Type.String(), Type.Unknown()))

export const Granularity = Type.Union([
  Type.Literal('word'),
  Type.Literal('sentence'),
  Type.Literal('utterance'),
  Type.Literal('conversational_turn'),
])
export type Granularity = Static<typeof Granularity>

const Language = Nullable(
  Type.Object({
    granularity: Type.Optional(Nullable(Granularity)),
    sentiment: Type.Optional(Unconfigurable),
    toxicity: Type.Optional(Unconfigurable),
    identify_speakers: Type.Optional(Nullable(Type.Boolean())),
  }),
)
const Ner = Nullable(Type.Object({ identify_speakers: Type.Optional(Nullable(Type.Boolean())) }))

/** Hume's face options; fps_pred 0 means every frame. */
export const Face = Nullable(
  Type.Object({
    fps_pred: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 60 }))),
    prob_threshold: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1 }))),
    identify_faces: Type.Optional(Nullable(Type.Boolean())),
    min_face_size: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100_000 }))),
    facs: Type.Optional(Unconfigurable),
    descriptions: Type.Optional(Unconfigurable),
    save_faces: Type.Optional(Nullable(Type.Boolean())),
  }),
)
export type Face = Static<typeof Face>

/** A sliding window over the audio, in seconds (Hume: both at least 0.5). */
const Window = Nullable(
  Type.Object({
    length: Type.Optional(Nullable(Type.Number({ minimum: 0.5, maximum: 3600 }))),
    step: Type.Optional(Nullable(Type.Number({ minimum: 0.5, maximum: 3600 }))),
  }),
)

export const Prosody = Nullable(
  Type.Object({
    granularity: Type.Optional(Nullable(Granularity)),
    window: Type.Optional(Window),
    identify_speakers: Type.Optional(Nullable(Type.Boolean())),
  }),
)
export type Prosody = Static<typeof Prosody>

export const Transcription = Nullable(
  Type.Object({
    language: Type.Optional(Nullable(Type.String({ minLength: 2, maxLength: 35 }))),
    identify_speakers: Type.Optional(Nullable(Type.Boolean())),
    confidence_threshold: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1 }))),
  }),
)
export type Transcription = Static<typeof Transcription>

/** An unknown model name is refused: silently running nothing for a typo helps no one. */
export const Models = Type.Object(
  {
    face: Type.Optional(Face),
    burst: Type.Optional(Unconfigurable),
    prosody: Type.Optional(Prosody),
    language: Type.Optional(Language),
    ner: Type.Optional(Ner),
    facemesh: Type.Optional(Unconfigurable),
  },
  { additionalProperties: false },
)
export type Models = Static<typeof Models>

export const MAX_URLS = 100
export const MAX_TEXTS = 1000
export const MAX_TEXT_CHARS = 100_000

export const InferenceBaseRequest = Type.Object({
  models: Type.Optional(Nullable(Models)),
  transcription: Type.Optional(Transcription),
  urls: Type.Optional(Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { maxItems: MAX_URLS }))),
  text: Type.Optional(Nullable(Type.Array(Type.String({ maxLength: MAX_TEXT_CHARS }), { maxItems: MAX_TEXTS }))),
  callback_url: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 2048 }))),
  notify: Type.Optional(Nullable(Type.Boolean())),
})
export type InferenceBaseRequest = Static<typeof InferenceBaseRequest>

export const JobId = Type.Object({ job_id: Type.String() })

const FileInfo = Type.Object({
  filename: Type.Union([Type.String(), Type.Null()]),
  content_type: Type.Union([Type.String(), Type.Null()]),
  md5sum: Type.String(),
})
export type FileInfo = Static<typeof FileInfo>

/** The job's request as Hume echoes it: inputs, defaults filled, uploads described by md5. */
export const InferenceRequest = Type.Object({
  models: Type.Record(Type.String(), Type.Unknown()),
  transcription: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  urls: Type.Array(Type.String()),
  text: Type.Array(Type.String()),
  callback_url: Type.Union([Type.String(), Type.Null()]),
  notify: Type.Boolean(),
  files: Type.Array(FileInfo),
})
export type InferenceRequest = Static<typeof InferenceRequest>

export const Status = Type.Union([
  Type.Literal('QUEUED'),
  Type.Literal('IN_PROGRESS'),
  Type.Literal('COMPLETED'),
  Type.Literal('FAILED'),
])
export type Status = Static<typeof Status>

/** One object for the four states; each state sets only its own fields (see toReturnJob). */
const State = Type.Object({
  status: Status,
  created_timestamp_ms: Type.Integer(),
  started_timestamp_ms: Type.Optional(Type.Integer()),
  ended_timestamp_ms: Type.Optional(Type.Integer()),
  num_predictions: Type.Optional(Type.Integer()),
  num_errors: Type.Optional(Type.Integer()),
  message: Type.Optional(Type.String()),
})

export const UnionJob = Type.Object({
  type: Type.String(),
  job_id: Type.String(),
  request: InferenceRequest,
  state: State,
})
export type UnionJob = Static<typeof UnionJob>

export const ListJobsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  status: Type.Optional(Type.Array(Status)),
  when: Type.Optional(Type.Union([Type.Literal('created_before'), Type.Literal('created_after')])),
  timestamp_ms: Type.Optional(Type.Integer({ minimum: 0 })),
  sort_by: Type.Optional(Type.Union([Type.Literal('created'), Type.Literal('started'), Type.Literal('ended')])),
  direction: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
})
export type ListJobsQuery = Static<typeof ListJobsQuery>

export const JobParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

// ---- predictions ----
const Position = Type.Object({ begin: Type.Integer(), end: Type.Integer() })
const TimeInterval = Type.Object({ begin: Type.Number(), end: Type.Number() })
const EmotionScore = Type.Object({ name: Type.String(), score: Type.Number() })
const NullableNumber = Type.Union([Type.Number(), Type.Null()])

/** Language and NER on text have no time; on audio and video they carry the words' times. */
const LanguagePrediction = Type.Object({
  text: Type.String(),
  position: Position,
  time: Type.Union([TimeInterval, Type.Null()]),
  confidence: NullableNumber,
  speaker_confidence: NullableNumber,
  emotions: Type.Array(EmotionScore),
  sentiment: Type.Null(),
  toxicity: Type.Null(),
})
const NerPrediction = Type.Object({
  entity: Type.String(),
  position: Position,
  entity_confidence: Type.Number(),
  support: Type.Number(),
  uri: Type.String(),
  link_word: Type.String(),
  time: Type.Union([TimeInterval, Type.Null()]),
  confidence: NullableNumber,
  speaker_confidence: NullableNumber,
  emotions: Type.Array(EmotionScore),
})
/** facs and descriptions are left out: no open model measures them (see the README). */
const FacePrediction = Type.Object({
  frame: Type.Integer(),
  time: Type.Number(),
  prob: Type.Number(),
  box: Type.Object({ x: Type.Number(), y: Type.Number(), w: Type.Number(), h: Type.Number() }),
  emotions: Type.Array(EmotionScore),
})
const ProsodyPrediction = Type.Object({
  text: Type.Union([Type.String(), Type.Null()]),
  time: TimeInterval,
  confidence: NullableNumber,
  speaker_confidence: NullableNumber,
  emotions: Type.Array(EmotionScore),
})
const TranscriptionMetadata = Type.Union([
  Type.Object({ confidence: Type.Number(), detected_language: Type.Union([Type.String(), Type.Null()]) }),
  Type.Null(),
])
const grouped = <T extends Parameters<typeof Type.Array>[0], M extends Parameters<typeof Type.Array>[0]>(
  p: T,
  metadata: M,
) =>
  Type.Object({
    metadata,
    grouped_predictions: Type.Array(Type.Object({ id: Type.String(), predictions: Type.Array(p) })),
  })

export const InferencePrediction = Type.Object({
  file: Type.String(),
  file_type: Type.String(),
  models: Type.Object({
    face: Type.Optional(grouped(FacePrediction, Type.Null())),
    prosody: Type.Optional(grouped(ProsodyPrediction, TranscriptionMetadata)),
    language: Type.Optional(grouped(LanguagePrediction, TranscriptionMetadata)),
    ner: Type.Optional(grouped(NerPrediction, TranscriptionMetadata)),
  }),
})
export type InferencePrediction = Static<typeof InferencePrediction>
export type LanguagePredictionWire = Static<typeof LanguagePrediction>
export type NerPredictionWire = Static<typeof NerPrediction>
export type FacePredictionWire = Static<typeof FacePrediction>
export type ProsodyPredictionWire = Static<typeof ProsodyPrediction>
export type TranscriptionMetadataWire = Static<typeof TranscriptionMetadata>

const Source = Type.Object({
  type: Type.Union([Type.Literal('url'), Type.Literal('file'), Type.Literal('text')]),
  url: Type.Optional(Type.String()),
  filename: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  content_type: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  md5sum: Type.Optional(Type.String()),
})

export const SourceResult = Type.Object({
  source: Source,
  results: Type.Object({
    predictions: Type.Array(InferencePrediction),
    errors: Type.Array(Type.Object({ file: Type.String(), message: Type.String() })),
  }),
  error: Type.Optional(Type.String()),
})
export type SourceResult = Static<typeof SourceResult>
export const Predictions = Type.Array(SourceResult)
