import type { HttpClient } from '../../core/http.js'
import { BatchClient } from './batch.js'
import { StreamClient } from './stream.js'

export { BatchClient, Job } from './batch.js'
export type {
  AwaitCompletionOptions,
  BatchStartInferenceJobFromLocalFileRequest,
  FileLike,
  Uploadable,
} from './batch.js'
export { StreamClient, StreamError, StreamSocket } from './stream.js'
export type { StreamAnswer, StreamConnectArgs } from './stream.js'

/** `client.expressionMeasurement`: batch jobs and the streaming socket. */
export class ExpressionMeasurementClient {
  /** Batch jobs: `/v0/batch/jobs`. */
  readonly batch: BatchClient
  /** The streaming socket: `/v0/stream/models` on the client's own server. */
  readonly stream: StreamClient

  constructor(http: HttpClient) {
    this.batch = new BatchClient(http)
    this.stream = new StreamClient(http)
  }
}
