/**
 * The main-thread side of the streaming socket's work: every payload that carries data is
 * analysed on the batch worker pool (decoding, inference and serialising the answer), so the
 * event loop only parses and validates messages.
 */
import { randomUUID } from 'node:crypto'
import type { WorkerPool } from '../../../shared/workers/pool.js'
import type { AnalyzeInput, StreamContext } from './stream.analyze.js'
import type { Envelope } from './stream.messages.js'

export const STREAM_TASK = 'expression.stream.analyze'

export interface StreamTaskInput extends AnalyzeInput {
  envelope: Envelope
}

export interface StreamTaskResult {
  /** The answer, serialised in the thread. */
  message: string
  context: StreamContext
}

export class StreamService {
  constructor(private readonly pool: WorkerPool) {}

  /** Hume gives every streaming connection a job id (reported when a payload sets job_details). */
  newJobId(): string {
    return randomUUID()
  }

  /** Analyses one payload; aborting cancels the thread's work. */
  analyze(input: StreamTaskInput, signal: AbortSignal): Promise<StreamTaskResult> {
    return this.pool.run<StreamTaskResult>(STREAM_TASK, input, { signal })
  }
}
