/**
 * A job's two documents, written as its predictions are made: `predictions.json` (the API's
 * predictions array) and `artifacts.zip` (one pretty-printed file per prediction, errors.json per
 * source with errors). Both stream into the blob store; nothing holds a whole document.
 */
import { once } from 'node:events'
import { PassThrough, Readable } from 'node:stream'
import { Zip, ZipDeflate } from 'fflate'
import type { BlobStore } from '../../shared/storage/blobs.js'
import { batchKeys } from './batch.keys.js'
import type { InferencePrediction, SourceResult } from './batch.schemas.js'

/** Archive member names: a readable, safe path per source and file. */
export function artifactPath(i: number, source: SourceResult['source'], file: string, suffix = '.json'): string {
  const clean = file
    .replace(/[^\w.\-/]+/g, '_')
    .replace(/\.\.+/g, '.')
    .replace(/^\/+/, '')
  return `${String(i).padStart(3, '0')}-${source.type}/${clean || 'file'}${suffix}`
}

/** A PassThrough feeding a blob put, whose writes wait while the disk is behind. */
function blobSink(blobs: BlobStore, key: string) {
  const out = new PassThrough()
  const stored = blobs.put(key, out)
  // A failed put surfaces through `stored`; keep writes from throwing meanwhile.
  stored.catch(() => out.resume())
  return {
    write: async (chunk: Uint8Array | string) => {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), stored])
    },
    end: async () => {
      out.end()
      await stored
    },
  }
}

/** A zip built entry by entry: fflate hands compressed bytes to its callback as it goes. */
class ZipSink {
  private readonly sink: ReturnType<typeof blobSink>
  private readonly zip: Zip
  private readonly pending: Uint8Array[] = []
  private failure: Error | undefined
  private readonly names = new Set<string>()

  constructor(blobs: BlobStore, key: string) {
    this.sink = blobSink(blobs, key)
    this.zip = new Zip((err, data) => {
      if (err) this.failure = err
      else this.pending.push(data)
    })
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure
    for (const chunk of this.pending.splice(0)) await this.sink.write(chunk)
  }

  async add(path: string, content: string | Uint8Array, level: 0 | 6 = 6): Promise<void> {
    // Two sources can report the same file name; a zip must not hold one path twice.
    let name = path
    const ext = /\.\w+$/.exec(path)?.[0] ?? ''
    for (let n = 2; this.names.has(name); n++) name = `${path.slice(0, path.length - ext.length)}-${n}${ext}`
    this.names.add(name)
    const file = new ZipDeflate(name, { level })
    this.zip.add(file)
    file.push(typeof content === 'string' ? Buffer.from(content) : content, true)
    await this.flush()
  }

  async end(): Promise<void> {
    this.zip.end()
    await this.flush()
    await this.sink.end()
  }
}

export class JobDocuments {
  private readonly predictions: ReturnType<typeof blobSink>
  private readonly zip: ZipSink
  private sources = 0
  private firstPrediction = true
  private source: { index: number; value: SourceResult['source'] } | undefined

  constructor(blobs: BlobStore, jobId: string) {
    this.predictions = blobSink(blobs, batchKeys.predictions(jobId))
    this.zip = new ZipSink(blobs, batchKeys.artifacts(jobId))
  }

  async beginSource(source: SourceResult['source']): Promise<void> {
    const index = this.sources++
    this.source = { index, value: source }
    this.firstPrediction = true
    await this.predictions.write(
      `${index === 0 ? '[' : ','}{"source":${JSON.stringify(source)},"results":{"predictions":[`,
    )
  }

  async addPrediction(p: InferencePrediction): Promise<void> {
    const s = this.source!
    await this.predictions.write(`${this.firstPrediction ? '' : ','}${JSON.stringify(p)}`)
    this.firstPrediction = false
    await this.zip.add(artifactPath(s.index, s.value, p.file), JSON.stringify(p, null, 2))
  }

  /** A file the job saved beside a prediction (a face crop for `save_faces`), stored as is. */
  async addArtifact(file: string, name: string, content: Uint8Array): Promise<void> {
    const s = this.source!
    // PNG is compressed already: store it, do not deflate it again.
    await this.zip.add(artifactPath(s.index, s.value, `${file}.faces/${name}`, ''), content, 0)
  }

  async endSource(errors: { file: string; message: string }[]): Promise<void> {
    const s = this.source!
    await this.predictions.write(`],"errors":${JSON.stringify(errors)}}}`)
    if (errors.length > 0) await this.zip.add(artifactPath(s.index, s.value, 'errors'), JSON.stringify(errors, null, 2))
    this.source = undefined
  }

  async finish(): Promise<void> {
    await this.predictions.write(this.sources === 0 ? '[]' : ']')
    await this.predictions.end()
    await this.zip.end()
  }
}

/** Artifacts of a job whose zip is missing (it completed before results moved to blobs). */
export async function rebuildArtifacts(blobs: BlobStore, jobId: string): Promise<void> {
  const stream = await blobs.get(batchKeys.predictions(jobId))
  if (!stream) throw new Error(`predictions of job ${jobId} are missing`)
  const chunks: Buffer[] = []
  for await (const c of stream as Readable) chunks.push(c as Buffer)
  // Such jobs were bounded by the request body limit of their time, so one parse is affordable.
  const results = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SourceResult[]
  const zip = new ZipSink(blobs, batchKeys.artifacts(jobId))
  for (const [i, r] of results.entries()) {
    for (const p of r.results.predictions) await zip.add(artifactPath(i, r.source, p.file), JSON.stringify(p, null, 2))
    if (r.results.errors.length > 0)
      await zip.add(artifactPath(i, r.source, 'errors'), JSON.stringify(r.results.errors, null, 2))
  }
  await zip.end()
}
