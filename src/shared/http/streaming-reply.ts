/**
 * Streamed responses that stop their producers when the client goes: a signal aborted when the
 * response closes before it finished, and a Readable destroyed with the response (a generator
 * parked at `yield` under backpressure would otherwise never see the abort nor give its thread back).
 */
import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'

export function disconnectSignal(reply: FastifyReply): AbortSignal {
  const ac = new AbortController()
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) ac.abort(new Error('client disconnected'))
  })
  return ac.signal
}

export function responseStream(reply: FastifyReply, chunks: AsyncIterable<Buffer | string>): Readable {
  const stream = Readable.from(chunks, { objectMode: false })
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) stream.destroy()
  })
  return stream
}
