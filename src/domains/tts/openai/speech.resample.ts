/**
 * A streaming linear-interpolation rate converter for OpenAI's fixed 24 kHz `pcm`. It keeps the
 * last sample and the fractional position between calls, so converting chunk by chunk gives the
 * same samples as converting the whole signal: no clicks at chunk edges, which a filter that
 * treats each chunk's outside as silence would leave. The engines' output is already band-limited
 * below the lower Nyquist frequency, so upsampling (16 → 24 kHz) needs no anti-aliasing filter.
 */
export function createResampler(fromRate: number, toRate: number): (chunk: Float32Array) => Float32Array {
  if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`invalid rates ${fromRate} -> ${toRate}`)
  const step = fromRate / toRate
  let prev: number | undefined
  // The next output's position in input samples from the start of the coming chunk; in (-1, 0]
  // when it falls between the previous chunk's last sample (index -1) and this chunk's first.
  let t = 0
  return (chunk) => {
    const n = chunk.length
    if (n === 0) return new Float32Array(0)
    const at = (i: number) => (i < 0 ? (prev ?? chunk[0]!) : chunk[i]!)
    const out = new Float32Array(Math.max(0, Math.floor((n - 1 - t) / step) + 1))
    let j = 0
    for (; t <= n - 1 && j < out.length; t += step) {
      const k = Math.floor(t)
      const f = t - k
      out[j++] = f === 0 ? at(k) : at(k) + (at(k + 1) - at(k)) * f
    }
    t -= n
    prev = chunk[n - 1]
    return j === out.length ? out : out.subarray(0, j)
  }
}
