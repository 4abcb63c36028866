// Worker-thread tasks of the batch API: everything CPU-heavy of a job (archive extraction,
// decoding, inference, serialising results, zipping artifacts) runs here, off the event loop.
import { mediaResources, type MediaThreadData } from './analysis/media-resources.js'
import { createBlobStore } from '../../shared/storage/blobs.js'
import type { S3Config } from '../../shared/storage/s3-config.js'
import type { Task } from '../../shared/workers/worker-host.js'
import { JobDocuments, rebuildArtifacts } from './batch.documents.js'
import type { ModelSelection } from './batch.selection.js'
import { processSource, type ExpressionResources, type JobLimits, type SourceInput } from './batch.source.js'
import { LanguageModel } from './language/language-model.js'
import { LANGUAGE_MODEL_PATH } from './language/model-path.js'

type R = { expression: ExpressionResources }

export interface ExpressionThreadData {
  blobDir: string
  /** Blobs on S3 (config.s3): the thread's store talks to the same bucket as the main thread's. */
  s3?: S3Config | undefined
  tmpDir: string
  media: MediaThreadData
}

/** A thread's blob store and scratch dir, and the language model, parsed on first use (~200 ms). */
export function expressionResources(d: ExpressionThreadData): ExpressionResources {
  let model: LanguageModel | undefined
  const language = () => (model ??= LanguageModel.fromPath(LANGUAGE_MODEL_PATH))
  return {
    blobs: createBlobStore({ blobDir: d.blobDir, s3: d.s3, scratchDir: d.tmpDir }),
    tmpDir: d.tmpDir,
    model: language,
    media: mediaResources(d.media, language),
  }
}

/** A whole job: its sources (URLs already downloaded into blobs), in order, into its two documents. */
export interface RunJobInput {
  jobId: string
  sources: SourceInput[]
  sel: ModelSelection
  limits: JobLimits
}

export interface RunJobResult {
  numPredictions: number
  numErrors: number
}

const run: Task<R> = async (input: RunJobInput, ctx): Promise<RunJobResult> => {
  const resources = ctx.resources.expression
  const docs = new JobDocuments(resources.blobs, input.jobId)
  const budget = { chars: input.limits.jobChars, predictions: input.limits.jobPredictions }
  const out = { numPredictions: 0, numErrors: 0 }
  for (const s of input.sources) {
    const r = await processSource(s, { ...input, budget, docs, resources, signal: ctx.signal })
    out.numPredictions += r.predictions
    out.numErrors += r.errors
  }
  await docs.finish()
  return out
}

const rebuild: Task<R> = async (input: { jobId: string }, ctx) =>
  rebuildArtifacts(ctx.resources.expression.blobs, input.jobId)

/** Parses the language model ahead of the first job. */
const warm: Task<R> = async (_input: unknown, ctx) => {
  ctx.resources.expression.model()
}

export const expressionTasks = {
  'expression.run': run,
  'expression.warm': warm,
  'expression.rebuildArtifacts': rebuild,
}
