/**
 * Worker-thread side of a batch job, one source at a time: expand archives to scratch files,
 * sniff each file, analyse text within the job's budgets, and stream the source's results (and
 * one artifact file per prediction) to the blob store. Every problem with the input is an error
 * entry of the source, never an exception: only a broken server throws.
 */
import { open, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { once } from 'node:events'
import { randomUUID } from 'node:crypto'
import { ArchiveError, extractArchiveToDir, type ArchiveLimits } from '../../shared/archive/extract.js'
import type { BlobStore } from '../../shared/storage/blobs.js'
import { batchKeys } from './batch.keys.js'
import { countSegments, predictText, type ModelSelection } from './batch.predict.js'
import type { InferencePrediction, SourceResult } from './batch.schemas.js'
import { decodeText, SNIFF_BYTES, sniffHead } from './batch.sniff.js'
import type { LanguageModel } from './language/language-model.js'

export interface SourceBudget {
  /** Characters the job may still analyse. */
  chars: number
  /** Predictions (segments) the job may still return. */
  predictions: number
}

export interface SourceInput {
  jobId: string
  index: number
  /** The `source` object reported with the results. */
  source: SourceResult['source']
  input:
    | { kind: 'text'; text: string }
    | { kind: 'blob'; key: string; name: string }
    | { kind: 'error'; file: string; message: string }
  sel: ModelSelection
  budget: SourceBudget
  limits: { fileChars: number; jobChars: number; jobPredictions: number; archive: ArchiveLimits }
}

/** One zip member of the job's artifacts and the blob holding it. */
export interface ArtifactRef {
  path: string
  key: string
}

export interface SourceOutcome {
  predictions: number
  errors: number
  used: SourceBudget
  artifacts: ArtifactRef[]
}

export interface ExpressionResources {
  blobs: BlobStore
  /** Scratch space for extracted archives; each source removes its own directory. */
  tmpDir: string
  model(): LanguageModel
}

/** Archive member names: a readable, safe path per source and file. */
export function artifactPath(i: number, source: SourceResult['source'], file: string): string {
  const clean = file
    .replace(/[^\w.\-/]+/g, '_')
    .replace(/\.\.+/g, '.')
    .replace(/^\/+/, '')
  return `${String(i).padStart(3, '0')}-${source.type}/${clean || 'file'}.json`
}

/** Writes `{source, results: {predictions: [...], errors}}` as predictions arrive, never as one string. */
class ResultWriter {
  private readonly out = new PassThrough()
  private readonly stored: Promise<unknown>
  private first = true

  constructor(blobs: BlobStore, key: string, source: SourceResult['source']) {
    this.stored = blobs.put(key, this.out)
    // A failed put surfaces through `stored`; keep writes from throwing meanwhile.
    this.stored.catch(() => this.out.resume())
    this.out.write(`{"source":${JSON.stringify(source)},"results":{"predictions":[`)
  }

  async add(prediction: InferencePrediction): Promise<void> {
    const json = JSON.stringify(prediction)
    if (!this.out.write(this.first ? json : `,${json}`)) await once(this.out, 'drain')
    this.first = false
  }

  async end(errors: { file: string; message: string }[]): Promise<void> {
    this.out.end(`],"errors":${JSON.stringify(errors)}}}`)
    await this.stored
  }
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

export async function processSource(
  req: SourceInput,
  r: ExpressionResources,
  signal: AbortSignal,
): Promise<SourceOutcome> {
  const { jobId, index, source, sel, limits } = req
  const budget = { ...req.budget }
  const errors: { file: string; message: string }[] = []
  const artifacts: ArtifactRef[] = []
  const writer = new ResultWriter(r.blobs, batchKeys.result(jobId, index), source)
  let predictions = 0

  const analyse = async (file: string, text: string) => {
    if (!sel.language && !sel.ner) {
      errors.push({ file, message: 'none of the requested models applies to text (this server runs language and ner)' })
      return
    }
    if (text.length > limits.fileChars) {
      errors.push({
        file,
        message: `text has ${text.length} characters; at most ${limits.fileChars} are analysed per file`,
      })
      return
    }
    if (text.length > budget.chars) {
      errors.push({ file, message: `the job's text limit of ${limits.jobChars} characters is used up` })
      return
    }
    signal.throwIfAborted()
    const models = predictText(r.model(), text, sel)
    const segments = countSegments(models)
    if (segments > budget.predictions) {
      errors.push({ file, message: `the job's limit of ${limits.jobPredictions} predictions is reached` })
      return
    }
    budget.chars -= text.length
    budget.predictions -= segments
    const prediction: InferencePrediction = { file, file_type: 'text', models }
    await writer.add(prediction)
    const key = batchKeys.artifact(jobId, index, predictions++)
    await r.blobs.put(key, JSON.stringify(prediction, null, 2))
    artifacts.push({ path: artifactPath(index, source, file), key })
  }

  const analyseFile = async (name: string, file: string, size: number) => {
    const s = sniffHead(await readHead(file))
    if (s.kind === 'archive') return errors.push({ file: name, message: 'nested archives are not extracted' })
    if (s.kind === 'media') {
      return errors.push({
        file: name,
        message: `${s.mime} needs the face, burst or prosody models, which this server does not provide (it runs language and ner)`,
      })
    }
    // UTF-8 takes at most 4 bytes a character: anything larger is over the limit without reading it.
    if (s.kind === 'maybe-text' && size > limits.fileChars * 4) {
      return errors.push({
        file: name,
        message: `text file is ${size} bytes; at most ${limits.fileChars} characters are analysed per file`,
      })
    }
    const text = s.kind === 'maybe-text' ? decodeText(await readFile(file)) : undefined
    if (text === undefined)
      return errors.push({
        file: name,
        message: 'unsupported file type: not UTF-8 text, a known media type or an archive',
      })
    await analyse(name, text)
  }

  const input = req.input
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
        const dir = path.join(r.tmpDir, `${jobId}-${index}-${randomUUID()}`)
        try {
          const files = await extractArchiveToDir(local.path, head.archive, dir, limits.archive, signal)
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
  await writer.end(errors)
  if (errors.length > 0) {
    const key = batchKeys.artifact(jobId, index, predictions)
    await r.blobs.put(key, JSON.stringify(errors, null, 2))
    artifacts.push({ path: artifactPath(index, source, 'errors'), key })
  }
  return {
    predictions,
    errors: errors.length,
    used: { chars: req.budget.chars - budget.chars, predictions: req.budget.predictions - budget.predictions },
    artifacts,
  }
}
