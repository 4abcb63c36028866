// Worker-thread side of the streaming socket: one task per payload. Its models are the ones the
// batch tasks of the same thread hold (expression.tasks.ts), loaded once per thread on first use.
import type { Task } from '../../../shared/workers/worker-host.js'
import type { ExpressionResources } from '../batch.source.js'
import { analyzePayload, type StreamEngines } from './stream.analyze.js'
import { realEngines } from './stream.engines.js'
import { toMessage } from './stream.messages.js'
import type { StreamTaskInput, StreamTaskResult } from './stream.service.js'

type R = { expression: ExpressionResources }

let engines: StreamEngines | undefined

/** A thread's stream engines: the models its batch jobs use, built on first use. */
function threadEngines(r: ExpressionResources): StreamEngines {
  // Stream payloads set their own limits (stream.codes.ts); the media factory's are for batch files.
  const media = r.media({ mediaSeconds: 0, imagePixels: 0, predictions: 0, deadline: Infinity })
  return (engines ??= realEngines({ tmpDir: r.tmpDir, language: () => r.model(), media }))
}

const analyze: Task<R> = async (input: StreamTaskInput, ctx): Promise<StreamTaskResult> => {
  const r = ctx.resources
  const { outcome, context } = await analyzePayload(input, threadEngines(r.expression), ctx.signal)
  return { message: JSON.stringify(toMessage(outcome, input.envelope)), context }
}

export const streamTasks = { 'expression.stream.analyze': analyze }
