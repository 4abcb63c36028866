/**
 * Files for `startInferenceJobFromLocalFile`, as browsers, Deno, Bun and Node hold them, turned into
 * multipart parts without touching the file system (the client must not import node:fs): a `Blob` or
 * `File`, bytes, a web `ReadableStream`, or any async iterable of bytes (Node's `fs.createReadStream`
 * is one, so code written for hume-legacy keeps working).
 */
import { toSnake } from '../../core/casing.js'
import { ProsodiaError } from '../../core/errors.js'

/** A Blob by shape: the DOM's, or Node's `buffer.Blob` (the same class, typed apart by @types/node). */
export interface BlobLike {
  readonly type: string
  arrayBuffer(): Promise<ArrayBuffer>
}

export type FileLike =
  BlobLike | ArrayBufferLike | ArrayBufferView | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>

/** A file, or a file with its name and type (the multipart part's filename and Content-Type). */
export type Uploadable = FileLike | { data: FileLike; filename?: string; contentType?: string }

/** Builds the `json` part (snake_cased) and one `file` part per upload, in order. */
export async function toFormData(files: readonly Uploadable[], json: unknown): Promise<FormData> {
  const form = new FormData()
  // The json part first: the server reads parts in order and can refuse a bad request before the files.
  if (json !== undefined) form.append('json', JSON.stringify(toSnake(json)))
  for (const [i, file] of files.entries()) {
    const { blob, filename } = await toPart(file, i)
    form.append('file', blob, filename)
  }
  return form
}

async function toPart(file: Uploadable, index: number): Promise<{ blob: Blob; filename: string }> {
  const meta = isWithMetadata(file) ? file : { data: file }
  let blob = await toBlob(meta.data, index)
  if (meta.contentType !== undefined && blob.type !== meta.contentType) {
    blob = new Blob([blob], { type: meta.contentType })
  }
  return { blob, filename: meta.filename ?? nameOf(meta.data) ?? `file-${index}` }
}

function isWithMetadata(file: Uploadable): file is { data: FileLike; filename?: string; contentType?: string } {
  return typeof file === 'object' && file !== null && 'data' in file && !isBlobLike(file) && !isBytes(file)
}

function isBytes(value: unknown): value is ArrayBufferLike | ArrayBufferView {
  return value instanceof ArrayBuffer || isShared(value) || ArrayBuffer.isView(value)
}

function isBlobLike(value: unknown): value is BlobLike {
  const v = value as BlobLike | null
  return typeof v?.arrayBuffer === 'function' && typeof v.type === 'string'
}

function isShared(value: unknown): value is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer
}

async function toBlob(data: FileLike, index: number): Promise<Blob> {
  if (data instanceof Blob) return data
  if (isBlobLike(data)) return new Blob([await data.arrayBuffer()], { type: data.type })
  if (isBytes(data)) return new Blob([bytesOf(data)])
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) return new Response(data).blob()
  if (typeof data === 'object' && data !== null && Symbol.asyncIterator in data) {
    const chunks: BlobPart[] = []
    for await (const chunk of data) chunks.push(typeof chunk === 'string' ? chunk : bytesOf(chunk))
    return new Blob(chunks)
  }
  throw new ProsodiaError({
    message: `file[${index}] is not a Blob, File, bytes or stream (file paths are not read: pass the file's contents)`,
  })
}

/** A copy of the bytes as a plain `Uint8Array` view, which every runtime's Blob accepts. */
function bytesOf(data: ArrayBufferLike | ArrayBufferView): Uint8Array<ArrayBuffer> {
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (!ArrayBuffer.isView(data)) return new Uint8Array(new Uint8Array(data))
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return new Uint8Array(view)
}

/** A File's name, or the base name of a Node read stream's `path`. */
function nameOf(data: FileLike): string | undefined {
  const d = data as { name?: unknown; path?: unknown }
  if (typeof File !== 'undefined' && data instanceof File && data.name) return data.name
  if (typeof d.path === 'string' && d.path !== '') return d.path.split(/[\\/]/).pop() || undefined
  return undefined
}
