/** Server messages of /v0/stream/models, from an outcome and the payload's envelope. */
import type { StreamOutcome, StreamServerMessage } from './stream.schemas.js'

/** What every answer repeats from its payload: payload_id, and the job id when job_details was set. */
export interface Envelope {
  payload_id?: string
  job_details?: { job_id: string }
}

export function toMessage(outcome: StreamOutcome, envelope: Envelope): StreamServerMessage {
  switch (outcome.kind) {
    case 'predictions':
      return { ...envelope, ...outcome.models }
    case 'error':
      return { error: outcome.error, code: outcome.code, ...envelope }
    case 'warning':
      return { warning: outcome.warning, code: outcome.code, ...envelope }
  }
}
