/**
 * Worker-thread side of a job's last step: the predictions document (the sources' result files
 * joined into one JSON array) and the artifacts zip, both streamed from blobs into blobs.
 */
import { PassThrough, Readable } from 'node:stream'
import { once } from 'node:events'
import { Zip, ZipDeflate } from 'fflate'
import type { BlobStore } from '../../shared/storage/blobs.js'
import { batchKeys } from './batch.keys.js'
import { artifactPath, type ArtifactRef } from './batch.source.js'
import type { SourceResult } from './batch.schemas.js'

async function pump(from: Readable, write: (chunk: Buffer) => Promise<void>): Promise<void> {
  for await (const chunk of from) await write(chunk as Buffer)
}

/** A PassThrough feeding a blob put, with writes that wait when the disk is behind. */
function blobSink(blobs: BlobStore, key: string) {
  const out = new PassThrough()
  const stored = blobs.put(key, out)
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

async function mustGet(blobs: BlobStore, key: string): Promise<Readable> {
  const stream = await blobs.get(key)
  if (!stream) throw new Error(`blob ${key} is missing`)
  return stream
}

export async function writePredictions(blobs: BlobStore, jobId: string, sources: number): Promise<void> {
  const sink = blobSink(blobs, batchKeys.predictions(jobId))
  await sink.write('[')
  for (let i = 0; i < sources; i++) {
    if (i > 0) await sink.write(',')
    await pump(await mustGet(blobs, batchKeys.result(jobId, i)), sink.write)
  }
  await sink.write(']')
  await sink.end()
}

/** The zip is built entry by entry; fflate hands compressed bytes to `ondata` as it goes. */
async function writeZip(blobs: BlobStore, key: string, entries: AsyncIterable<{ path: string; data: Readable }>) {
  const sink = blobSink(blobs, key)
  const pending: Uint8Array[] = []
  let failure: Error | undefined
  const zip = new Zip((err, data) => {
    if (err) failure = err
    else pending.push(data)
  })
  const flush = async () => {
    if (failure) throw failure
    for (const chunk of pending.splice(0)) await sink.write(chunk)
  }
  const seen = new Set<string>()
  for await (const e of entries) {
    // Two sources can report the same file name; a zip must not hold one path twice.
    let name = e.path
    for (let n = 2; seen.has(name); n++) name = e.path.replace(/\.json$/, `-${n}.json`)
    seen.add(name)
    const file = new ZipDeflate(name, { level: 6 })
    zip.add(file)
    for await (const chunk of e.data) {
      file.push(chunk as Uint8Array)
      await flush()
    }
    file.push(new Uint8Array(0), true)
    await flush()
  }
  zip.end()
  await flush()
  await sink.end()
}

export async function writeArtifacts(blobs: BlobStore, jobId: string, refs: ArtifactRef[]): Promise<void> {
  await writeZip(
    blobs,
    batchKeys.artifacts(jobId),
    (async function* () {
      for (const ref of refs) yield { path: ref.path, data: await mustGet(blobs, ref.key) }
    })(),
  )
}

/** Artifacts of a job whose zip is missing (e.g. completed before results moved to blobs). */
export async function rebuildArtifacts(blobs: BlobStore, jobId: string): Promise<void> {
  const chunks: Buffer[] = []
  for await (const c of await mustGet(blobs, batchKeys.predictions(jobId))) chunks.push(c as Buffer)
  const results = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SourceResult[]
  const entries = results.flatMap((r, i) => [
    ...r.results.predictions.map((p) => ({ path: artifactPath(i, r.source, p.file), json: p as unknown })),
    ...(r.results.errors.length > 0 ? [{ path: artifactPath(i, r.source, 'errors'), json: r.results.errors }] : []),
  ])
  await writeZip(
    blobs,
    batchKeys.artifacts(jobId),
    (async function* () {
      for (const e of entries)
        yield { path: e.path, data: Readable.from([Buffer.from(JSON.stringify(e.json, null, 2))]) }
    })(),
  )
}
