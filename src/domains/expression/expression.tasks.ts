// Worker-thread tasks of the batch API: everything CPU-heavy of a job (archive extraction,
// decoding, inference, serialising results, zipping artifacts) runs here, off the event loop.
import { createBlobStore } from '../../shared/storage/blobs.js'
import type { Task } from '../../shared/workers/worker-host.js'
import { rebuildArtifacts, writeArtifacts, writePredictions } from './batch.finalize.js'
import { processSource, type ArtifactRef, type ExpressionResources, type SourceInput } from './batch.source.js'
import { LanguageModel } from './language/language-model.js'
import { LANGUAGE_MODEL_PATH } from './language/model-path.js'

type R = { expression: ExpressionResources }

export interface ExpressionThreadData {
  blobDir: string
  tmpDir: string
}

/** A thread's blob store and scratch dir, and the language model, parsed on first use (~200 ms). */
export function expressionResources(d: ExpressionThreadData): ExpressionResources {
  let model: LanguageModel | undefined
  return {
    blobs: createBlobStore({ blobDir: d.blobDir }),
    tmpDir: d.tmpDir,
    model: () => (model ??= LanguageModel.fromPath(LANGUAGE_MODEL_PATH)),
  }
}

export interface FinalizeInput {
  jobId: string
  sources: number
  artifacts: ArtifactRef[]
}

const source: Task<R> = async (input: SourceInput, ctx) => processSource(input, ctx.resources.expression, ctx.signal)

const finalize: Task<R> = async (input: FinalizeInput, ctx) => {
  const { blobs } = ctx.resources.expression
  await writePredictions(blobs, input.jobId, input.sources)
  await writeArtifacts(blobs, input.jobId, input.artifacts)
}

const rebuild: Task<R> = async (input: { jobId: string }, ctx) =>
  rebuildArtifacts(ctx.resources.expression.blobs, input.jobId)

export const expressionTasks = {
  'expression.source': source,
  'expression.finalize': finalize,
  'expression.rebuildArtifacts': rebuild,
}
