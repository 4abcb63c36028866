/**
 * Resampling of live audio that arrives in pieces (one `audio_input` message at a time), with the
 * result identical to resampling the whole stream at once.
 *
 * It reuses the project's band-limited polyphase resampler (resample.ts) rather than a second filter:
 * each call resamples the new input together with the history the filter still needs, and hands out
 * only the outputs whose filter window is complete. The history always starts on a multiple of the
 * rate ratio's denominator M, so the filter phases line up with those of one whole-stream pass.
 */
import { filterHalfWidth, resample, TARGET_RATE } from '../../../expression/prosody/resample.js'

const EMPTY = new Float32Array(0)

export class StreamResampler {
  private readonly up: number // L
  private readonly down: number // M
  private readonly half: number
  private buf = EMPTY
  /** Stream index of buf[0]; always a multiple of `down`. */
  private bufStart = 0
  private total = 0
  private emitted = 0

  constructor(
    readonly fromRate: number,
    readonly toRate: number = TARGET_RATE,
  ) {
    if (!Number.isInteger(fromRate) || fromRate <= 0 || !Number.isInteger(toRate) || toRate <= 0) {
      throw new RangeError(`invalid resampling ${fromRate} -> ${toRate} Hz`)
    }
    const g = gcd(fromRate, toRate)
    this.up = toRate / g
    this.down = fromRate / g
    this.half = filterHalfWidth(fromRate, toRate)
  }

  /** The output the input so far fully determines; the rest waits for more input (or `flush`). */
  push(input: Float32Array): Float32Array {
    if (this.fromRate === this.toRate) return Float32Array.from(input)
    if (input.length === 0) return EMPTY
    const joined = new Float32Array(this.buf.length + input.length)
    joined.set(this.buf)
    joined.set(input, this.buf.length)
    this.buf = joined
    this.total += input.length
    // Output j reads input up to floor(j*M/L) + half, which must already be here.
    return this.take(Math.ceil(((this.total - this.half) * this.up) / this.down))
  }

  /** The remaining output, as if the stream ended here (zeros beyond its end); then starts afresh. */
  flush(): Float32Array {
    if (this.fromRate === this.toRate) return EMPTY
    const out = this.take(Math.ceil((this.total * this.up) / this.down))
    this.buf = EMPTY
    this.bufStart = this.total = this.emitted = 0
    return out
  }

  private take(end: number): Float32Array {
    if (end <= this.emitted) return EMPTY
    const local = resample(this.buf, this.fromRate, this.toRate)
    const offset = (this.bufStart / this.down) * this.up
    const out = local.slice(this.emitted - offset, end - offset)
    this.emitted = end
    // Keep what the next output's window starts at, rounded down to a phase-aligned position.
    const need = Math.floor((end * this.down) / this.up) - this.half + 1
    const keepFrom = Math.max(0, Math.floor(need / this.down) * this.down)
    if (keepFrom > this.bufStart) {
      this.buf = this.buf.slice(keepFrom - this.bufStart)
      this.bufStart = keepFrom
    }
    return out
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}
