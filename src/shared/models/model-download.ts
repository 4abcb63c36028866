// Downloads one model file from a Hugging Face-style host: the SHA-256 comes from the host's own
// metadata (`x-linked-etag` on the resolve URL is the Git LFS object id, i.e. the file's SHA-256),
// bytes go to `<dest>.<sha>.part` (resumed with a Range request after an interruption), and the
// file is renamed into place only once its size and hash match.
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export interface RemoteFile {
  /** e.g. https://huggingface.co/onnx-community/Kokoro-82M-v1.0-ONNX/resolve/main/onnx/model_quantized.onnx */
  url: string
  dest: string
}

export interface DownloadProgress {
  received: number
  total: number
}

export interface DownloadOptions {
  fetch?: typeof fetch
  onProgress?: (p: DownloadProgress) => void
  signal?: AbortSignal
}

export type DownloadResult = { status: 'downloaded' | 'up-to-date'; sha256: string; size: number; resumedFrom: number }

export class DownloadError extends Error {}

const SHA256 = /^[0-9a-f]{64}$/

/** The published SHA-256 and size: a HEAD on the resolve URL, before the redirect to the CDN. */
export async function publishedChecksum(
  url: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ sha256: string; size: number }> {
  const res = await fetchImpl(url, { method: 'HEAD', redirect: 'manual' })
  if (res.status >= 400) throw new DownloadError(`HEAD ${url}: HTTP ${res.status}`)
  const etag = (res.headers.get('x-linked-etag') ?? res.headers.get('etag') ?? '').replace(/^W\//, '').replace(/"/g, '')
  const size = Number(res.headers.get('x-linked-size') ?? res.headers.get('content-length'))
  if (!SHA256.test(etag))
    throw new DownloadError(`${url} publishes no SHA-256 (x-linked-etag); refusing to install an unverified file`)
  if (!Number.isSafeInteger(size) || size <= 0) throw new DownloadError(`${url} publishes no file size (x-linked-size)`)
  return { sha256: etag, size }
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.size,
    () => undefined,
  )
}

/** Deletes partial downloads of `dest` other than `keep` (left by an older published version). */
async function removeStaleParts(dest: string, keep: string): Promise<void> {
  const prefix = `${basename(dest)}.`
  for (const name of await readdir(dirname(dest))) {
    if (name.startsWith(prefix) && name.endsWith('.part') && join(dirname(dest), name) !== keep)
      await rm(join(dirname(dest), name), { force: true })
  }
}

export async function downloadVerified(file: RemoteFile, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const fetchImpl = opts.fetch ?? fetch
  const { sha256, size } = await publishedChecksum(file.url, fetchImpl)
  await mkdir(dirname(file.dest), { recursive: true })
  if ((await sizeOf(file.dest)) === size) {
    const h = createHash('sha256')
    await hashFile(file.dest, h)
    if (h.digest('hex') === sha256) return { status: 'up-to-date', sha256, size, resumedFrom: 0 }
  }
  const part = `${file.dest}.${sha256.slice(0, 16)}.part`
  await removeStaleParts(file.dest, part)
  let have = (await sizeOf(part)) ?? 0
  if (have > size) {
    await rm(part, { force: true })
    have = 0
  }
  let hash = createHash('sha256')
  if (have > 0) await hashFile(part, hash)
  let resumedFrom = have
  if (have < size) {
    const res = await fetchImpl(file.url, { headers: have > 0 ? { range: `bytes=${have}-` } : {}, signal: opts.signal })
    if (!res.ok || !res.body) throw new DownloadError(`GET ${file.url}: HTTP ${res.status}`)
    if (have > 0 && res.status !== 206) {
      // The server ignored the range and sent the whole file: start over.
      have = 0
      resumedFrom = 0
      hash = createHash('sha256')
    }
    const fh = await open(part, have > 0 ? 'a' : 'w')
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (have + chunk.length > size)
          throw new DownloadError(`${file.url} sent more than the published ${size} bytes`)
        hash.update(chunk)
        await fh.write(chunk)
        have += chunk.length
        opts.onProgress?.({ received: have, total: size })
      }
    } catch (err) {
      if (err instanceof DownloadError) {
        await rm(part, { force: true })
        throw err
      }
      // A dropped connection keeps the part file for the next attempt to resume.
      throw new DownloadError(`download interrupted at ${have} of ${size} bytes; run the command again to resume`, {
        cause: err,
      })
    } finally {
      await fh.close()
    }
  }
  return finish(file, part, hash, have, { sha256, size, resumedFrom })
}

async function finish(
  file: RemoteFile,
  part: string,
  hash: Hash,
  have: number,
  r: Omit<DownloadResult, 'status'>,
): Promise<DownloadResult> {
  // A short body (connection dropped) keeps the part for the next attempt to resume.
  if (have < r.size)
    throw new DownloadError(`download interrupted at ${have} of ${r.size} bytes; run the command again to resume`)
  const got = hash.digest('hex')
  if (got !== r.sha256) {
    await rm(part, { force: true })
    throw new DownloadError(
      `checksum mismatch for ${file.url}: expected sha256 ${r.sha256}, got ${got}; the partial file was removed`,
    )
  }
  await rename(part, file.dest)
  return { status: 'downloaded', ...r }
}
