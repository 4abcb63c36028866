/**
 * Worker-thread side of a batch job, one source at a time: expand archives to scratch files,
 * sniff each file, analyse text within the job's budgets, and hand each prediction to the job's
 * documents as it is made. Every problem with the input is an error entry of the source, never
 * an exception: only a broken server throws.
 */
import { randomUUID } from 'node:crypto'
import { open, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { ArchiveError, extractArchiveToDir, type ArchiveLimits } from '../../shared/archive/extract.js'
import type { BlobStore } from '../../shared/storage/blobs.js'
import type { JobDocuments } from './batch.documents.js'
import { countSegments, predictText } from './batch.predict.js'
import type { ModelSelection } from './batch.selection.js'
import type { SourceResult } from './batch.schemas.js'
import { decodeText, SNIFF_BYTES, sniffHead } from './batch.sniff.js'
import { analyseMediaFile, type MediaDeps, type MediaOutcome } from './analysis/media-file.js'
import { MediaError } from './media/media-error.js'
import type { MediaKind } from './media/signatures.js'
import type { LanguageModel } from './language/language-model.js'

/** What the job may still analyse: characters read and predictions returned, over all its sources. */
export interface JobBudget {
  chars: number
  predictions: number
}

export interface JobLimits {
  /** Epoch ms after which no file is started (PROSODIA_BATCH_MAX_JOB_SECONDS from the job's start). */
  deadline: number
  jobSeconds: number
  media: { mediaSeconds: number; imagePixels: number }
  fileChars: number
  jobChars: number
  jobPredictions: number
  archive: ArchiveLimits
}

export interface SourceInput {
  /** The `source` object reported with the results. */
  source: SourceResult['source']
  input:
    | { kind: 'text'; text: string }
    | { kind: 'blob'; key: string; name: string }
    | { kind: 'error'; file: string; message: string }
}

export interface ExpressionResources {
  blobs: BlobStore
  /** Scratch space for extracted archives; each source removes its own directory. */
  tmpDir: string
  model(): LanguageModel
  /** Decoders and models for media files, within the given limits. */
  media(limits: MediaDeps['limits']): MediaDeps
}

export interface SourceContext {
  jobId: string
  sel: ModelSelection
  limits: JobLimits
  budget: JobBudget
  docs: JobDocuments
  resources: ExpressionResources
  signal: AbortSignal
}

async function readHead(file: string): Promise<Buffer> {
  const fh = await open(file, 'r')
  try {
    const buf = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

/** Analyses one source into the job's documents; returns how many predictions and errors it had. */
export async function processSource(
  s: SourceInput,
  c: SourceContext,
): Promise<{ predictions: number; errors: number }> {
  const { sel, limits, budget, docs, resources: r } = c
  const errors: { file: string; message: string }[] = []
  let predictions = 0
  const timeUp = () =>
    `the job's time limit of ${limits.jobSeconds} s (PROSODIA_BATCH_MAX_JOB_SECONDS) was reached before this file`
  await docs.beginSource(s.source)

  const analyse = async (file: string, text: string) => {
    if (!sel.language && !sel.ner)
      return errors.push({
        file,
        message: 'none of the requested models applies to text (this server runs language and ner)',
      })
    if (Date.now() > limits.deadline) return errors.push({ file, message: timeUp() })
    if (text.length > limits.fileChars)
      return errors.push({
        file,
        message: `text has ${text.length} characters; at most ${limits.fileChars} are analysed per file`,
      })
    if (text.length > budget.chars)
      return errors.push({ file, message: `the job's text limit of ${limits.jobChars} characters is used up` })
    const spent = () => `the job's limit of ${limits.jobPredictions} predictions is reached`
    if (budget.predictions <= 0) return errors.push({ file, message: spent() })
    c.signal.throwIfAborted()
    // Analysed text is paid for whether or not its predictions fit: the budget bounds the work.
    budget.chars -= text.length
    const models = predictText(r.model(), text, sel)
    const segments = countSegments(models)
    if (segments > budget.predictions) {
      budget.predictions = 0
      return errors.push({ file, message: spent() })
    }
    budget.predictions -= segments
    predictions++
    await docs.addPrediction({ file, file_type: 'text', models })
  }

  const analyseMedia = async (name: string, file: string, kind: MediaKind) => {
    if (Date.now() > limits.deadline) return errors.push({ file: name, message: timeUp() })
    if (budget.predictions <= 0)
      return errors.push({ file: name, message: `the job's limit of ${limits.jobPredictions} predictions is reached` })
    c.signal.throwIfAborted()
    let outcome: MediaOutcome
    try {
      outcome = await analyseMediaFile(
        file,
        kind,
        sel,
        r.media({ ...limits.media, predictions: budget.predictions, deadline: limits.deadline }),
        c.signal,
      )
    } catch (err) {
      if (c.signal.aborted) throw c.signal.reason
      if (!(err instanceof MediaError)) throw err
      return errors.push({ file: name, message: err.message })
    }
    for (const message of outcome.errors) errors.push({ file: name, message })
    if (Object.keys(outcome.models).length === 0) return
    const segments = countSegments(outcome.models)
    if (segments > budget.predictions) {
      budget.predictions = 0
      return errors.push({ file: name, message: `the job's limit of ${limits.jobPredictions} predictions is reached` })
    }
    budget.predictions -= segments
    predictions++
    await docs.addPrediction({ file: name, file_type: outcome.fileType, models: outcome.models })
    for (const crop of outcome.crops) await docs.addArtifact(name, crop.name, crop.png)
  }

  const analyseFile = async (name: string, file: string, size: number) => {
    const head = sniffHead(await readHead(file))
    if (head.kind === 'archive') return errors.push({ file: name, message: 'nested archives are not extracted' })
    if (head.kind === 'media') return analyseMedia(name, file, head)
    // UTF-8 takes at most 4 bytes a character: anything larger is over the limit without reading it.
    if (head.kind === 'maybe-text' && size > limits.fileChars * 4) {
      return errors.push({
        file: name,
        message: `text file is ${size} bytes; at most ${limits.fileChars} characters are analysed per file`,
      })
    }
    const text = head.kind === 'maybe-text' ? decodeText(await readFile(file)) : undefined
    if (text === undefined)
      return errors.push({
        file: name,
        message: 'unsupported file type: not UTF-8 text, a known media type or an archive',
      })
    await analyse(name, text)
  }

  const input = s.input
  if (input.kind === 'text') await analyse('text', input.text)
  else if (input.kind === 'error') errors.push({ file: input.file, message: input.message })
  else {
    const local = await r.blobs.localFile(input.key)
    if (!local) throw new Error(`blob ${input.key} is missing`)
    try {
      const { size } = (await r.blobs.stat(input.key))!
      const head = sniffHead(await readHead(local.path))
      if (head.kind !== 'archive') await analyseFile(input.name, local.path, size)
      else {
        const dir = path.join(r.tmpDir, `${c.jobId}-${randomUUID()}`)
        try {
          const files = await extractArchiveToDir(local.path, head.archive, dir, limits.archive, c.signal)
          for (const f of files) await analyseFile(f.path, f.file, f.size)
        } catch (err) {
          if (!(err instanceof ArchiveError)) throw err
          errors.push({ file: input.name, message: `archive refused: ${err.message}` })
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      }
    } finally {
      await local.release()
    }
  }
  await docs.endSource(errors)
  return { predictions, errors: errors.length }
}
