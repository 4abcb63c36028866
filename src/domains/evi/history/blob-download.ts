/**
 * Sends a stored file as a download: its exact Content-Length, and a single byte range when the
 * client asks for one (players seek with ranges; a 206 or 416 as RFC 9110 describes).
 */
import { createReadStream } from 'node:fs'
import type { FastifyReply } from 'fastify'
import { errors } from '../../../shared/http/errors.js'
import type { BlobStore } from '../../../shared/storage/blobs.js'
import { parseRange } from './byte-range.js'

export async function sendBlob(
  reply: FastifyReply,
  o: { blobs: BlobStore; key: string; contentType: string; range: string | undefined; missing: () => Error },
): Promise<FastifyReply> {
  const size = (await o.blobs.stat(o.key))?.size
  if (size === undefined) throw o.missing()
  reply.header('accept-ranges', 'bytes')
  const range = parseRange(o.range, size)
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${size}`)
    throw errors.rangeNotSatisfiable(size)
  }
  // A range reads the file at an offset, for which the blob store hands out a local file.
  const file = range ? await o.blobs.localFile(o.key) : undefined
  if (range && !file) throw o.missing()
  const stream = range && file ? createReadStream(file.path, range) : await o.blobs.get(o.key)
  if (!stream) throw o.missing()
  if (file) stream.once('close', () => void file.release())
  reply.type(o.contentType).header('cache-control', 'private, max-age=0')
  if (!range) return reply.header('content-length', size).send(stream)
  reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`)
  return reply.header('content-length', range.end - range.start + 1).send(stream)
}
