import type { Static } from 'typebox'
import type { Camelize } from '../core/casing.js'
import type * as B from '../../domains/expression/batch.schemas.js'
import type * as S from '../../domains/expression/stream/stream.schemas.js'

// ---- batch (/v0/batch/jobs), from the server's TypeBox schemas ----
export type InferenceBaseRequest = Camelize<Static<typeof B.InferenceBaseRequest>>
export type Models = Camelize<Static<typeof B.Models>>
export type JobId = Camelize<Static<typeof B.JobId>>
export type UnionJob = Camelize<Static<typeof B.UnionJob>>
export type InferenceRequest = Camelize<Static<typeof B.InferenceRequest>>
export type Status = Static<typeof B.Status>
export type JobState = UnionJob['state']
export type BatchListJobsRequest = Camelize<Omit<Static<typeof B.ListJobsQuery>, 'status'>> & {
  /** One status or several (the parameter is repeated on the wire). */
  status?: Status | Status[]
}
export type When = NonNullable<BatchListJobsRequest['when']>
export type SortBy = NonNullable<BatchListJobsRequest['sortBy']>
export type Direction = NonNullable<BatchListJobsRequest['direction']>
/** One source's results (the SDK's `UnionPredictResult`). */
export type UnionPredictResult = Camelize<Static<typeof B.SourceResult>>
export type InferencePrediction = Camelize<Static<typeof B.InferencePrediction>>
export type LanguagePrediction = Camelize<B.LanguagePredictionWire>
export type NerPrediction = Camelize<B.NerPredictionWire>
export type FacePrediction = Camelize<B.FacePredictionWire>
export type ProsodyPrediction = Camelize<B.ProsodyPredictionWire>

// ---- streaming (/v0/stream/models) ----
/** The socket's model configuration (the SDK's `stream.Config`), from the server's TypeBox schema. */
export type StreamConfig = Camelize<Static<typeof S.StreamModels>>
/** One client payload as the server validates it (`StreamModelsEndpointPayload`). */
export type StreamPayload = Camelize<Static<typeof S.StreamPayload>>
/*
 * The server builds its answers without a TypeBox schema (they are checked against the SDK's in its
 * tests): these derive from the plain TypeScript types it builds them with.
 */
export type StreamPredictionsMessage = Camelize<S.StreamPredictionsMessage>
export type StreamErrorMessage = Camelize<S.StreamErrorMessage>
export type StreamWarningMessage = Camelize<S.StreamWarningMessage>
/** Every message the socket sends: predictions, an error or a warning, one per payload. */
export type StreamServerMessage = StreamPredictionsMessage | StreamErrorMessage | StreamWarningMessage
