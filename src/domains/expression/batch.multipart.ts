/**
 * Fastify's multipart parts as the batch service's UploadParts. The counts (fields, files) are
 * checked here, one part before busboy's own limits would fire: busboy's limits stop parsing
 * in the middle of the body, leaving a file stream that never ends. Each file stream also gets
 * a watchdog, so one that stops moving (a stalled or vanished client) fails instead of holding a
 * file descriptor and a half-written blob.
 */
import { Transform, type TransformCallback } from 'node:stream'
import type { FastifyRequest } from 'fastify'
import { ApiError, errors } from '../../shared/http/errors.js'
import type { UploadPart } from './batch.service.js'

/** Non-file fields a submission may have (it needs one: `json`). */
export const MAX_FIELDS = 10

/** Errors raised by the request's own bytes (busboy), as opposed to failures of this server (e.g. a full disk). */
const bodyErrors = new WeakSet<object>()

export function asClientError(err: unknown): unknown {
  if (err instanceof ApiError) return err
  const status = (err as { statusCode?: number }).statusCode
  if (status === 413) return errors.uploadTooLarge((err as Error).message)
  // e.g. @fastify/multipart's 406 for a json field that is not JSON: a bad request all the same.
  if (status && status >= 400 && status < 500) return errors.badRequest((err as Error).message)
  if (typeof err === 'object' && err !== null && bodyErrors.has(err))
    return errors.badRequest(`Malformed multipart body: ${(err as Error).message}`)
  return err
}

/** Passes bytes through; fails when none have arrived for `idleMs`. */
class IdleGuard extends Transform {
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly idleMs: number) {
    super()
    this.arm()
  }

  private arm(): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      const err = new Error(`no upload data for ${this.idleMs} ms`)
      bodyErrors.add(err)
      this.destroy(err)
    }, this.idleMs)
    this.timer.unref()
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.arm()
    cb(null, chunk)
  }

  override _flush(cb: TransformCallback): void {
    clearTimeout(this.timer)
    cb()
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    clearTimeout(this.timer)
    cb(err)
  }
}

export async function* uploadParts(req: FastifyRequest, limits: { uploadIdleMs: number }): AsyncGenerator<UploadPart> {
  const parts = req.parts()[Symbol.asyncIterator]()
  let fields = 0
  // The file handed out last: a consumer that refuses the request (one file too many) never reads
  // it, and its watchdog must not fire later with no one listening (an unhandled 'error' ends the process).
  let handedOut: IdleGuard | undefined
  try {
    yield* readParts()
  } finally {
    if (handedOut && !handedOut.readableEnded) handedOut.destroy()
  }

  async function* readParts(): AsyncGenerator<UploadPart> {
    for (;;) {
      let next: IteratorResult<Awaited<ReturnType<typeof parts.next>>['value']>
      try {
        next = await parts.next()
      } catch (err) {
        if (typeof err === 'object' && err !== null) bodyErrors.add(err)
        throw asClientError(err)
      }
      if (next.done) return
      const part = next.value
      if (part.type === 'file') {
        const guard = new IdleGuard(limits.uploadIdleMs)
        // e.g. "Part terminated early": the body ended inside a file.
        part.file.on('error', (err: Error) => {
          bodyErrors.add(err)
          guard.destroy(err)
        })
        part.file.pipe(guard)
        // A client that goes away mid-file leaves busboy waiting for bytes that will never come.
        const gone = () => {
          // 'close' also follows a request received in full: only an incomplete one was abandoned.
          if (req.raw.complete || guard.writableFinished) return
          const err = new Error('the client closed the connection')
          bodyErrors.add(err)
          guard.destroy(err)
        }
        req.raw.once('close', gone)
        guard.once('close', () => req.raw.off('close', gone))
        handedOut = guard
        yield { kind: 'file', filename: part.filename, contentType: part.mimetype || null, stream: guard }
      } else {
        if (++fields > MAX_FIELDS) throw errors.uploadTooLarge(`a request may have at most ${MAX_FIELDS} fields`)
        // A part sent as application/json arrives parsed; parseRequest bounds its depth like a string's.
        yield { kind: 'field', name: part.fieldname, value: part.value, truncated: part.valueTruncated }
      }
    }
  }
}
