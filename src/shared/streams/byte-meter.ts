import { Transform, type TransformCallback } from 'node:stream'

/**
 * Passes bytes through, counting them. `check` sees each chunk with the running total and may
 * throw to fail the stream: how every size limit on a stream is enforced (downloads, blob writes,
 * decompression, archive entries), as the bytes flow rather than after they have piled up.
 */
export class ByteMeter extends Transform {
  total = 0

  constructor(private readonly check: (total: number, chunk: Buffer) => void = () => {}) {
    super()
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.total += chunk.length
    try {
      this.check(this.total, chunk)
    } catch (err) {
      return cb(err as Error)
    }
    cb(null, chunk)
  }
}

/** A meter that fails with `error()` once more than `max` bytes have passed. */
export function byteLimit(max: number, error: () => Error): ByteMeter {
  return new ByteMeter((total) => {
    if (total > max) throw error()
  })
}
