/**
 * In-place iterative radix-2 FFT. Small and dependency-free: the pitch tracker needs correlations of 1,024
 * points and the spectral features power spectra of 512, a few hundred times per second of audio.
 */

interface Plan {
  rev: Uint32Array
  cos: Float64Array
  sin: Float64Array
}

// Per-thread memo of twiddle tables by size: pure data, rebuilt lazily in each worker thread.
const plans = new Map<number, Plan>()

function plan(n: number): Plan {
  let p = plans.get(n)
  if (p) return p
  if (n < 2 || (n & (n - 1)) !== 0) throw new RangeError(`FFT size must be a power of two, got ${n}`)
  const bits = Math.log2(n)
  const rev = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    let r = 0
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b)
    rev[i] = r
  }
  const cos = new Float64Array(n / 2)
  const sin = new Float64Array(n / 2)
  for (let i = 0; i < n / 2; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n)
    sin[i] = -Math.sin((2 * Math.PI * i) / n)
  }
  p = { rev, cos, sin }
  plans.set(n, p)
  return p
}

/** Forward transform of (re, im) in place; `inverse` computes the unscaled inverse. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length
  const { rev, cos, sin } = plan(n)
  for (let i = 0; i < n; i++) {
    const j = rev[i]!
    if (j > i) {
      const tr = re[i]!
      re[i] = re[j]!
      re[j] = tr
      const ti = im[i]!
      im[i] = im[j]!
      im[j] = ti
    }
  }
  const sign = inverse ? -1 : 1
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1
    const step = n / size
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!
        const wi = sign * sin[k * step]!
        const a = start + k
        const b = a + half
        const xr = re[b]! * wr - im[b]! * wi
        const xi = re[b]! * wi + im[b]! * wr
        re[b] = re[a]! - xr
        im[b] = im[a]! - xi
        re[a] = re[a]! + xr
        im[a] = im[a]! + xi
      }
    }
  }
}

/** Power spectrum |X(k)|² for k = 0..n/2 of a real frame zero-padded to n. */
export function powerSpectrum(frame: ArrayLike<number>, n: number, out = new Float64Array(n / 2 + 1)): Float64Array {
  const re = new Float64Array(n)
  const im = new Float64Array(n)
  for (let i = 0; i < Math.min(n, frame.length); i++) re[i] = frame[i]!
  fft(re, im)
  for (let k = 0; k <= n / 2; k++) out[k] = re[k]! * re[k]! + im[k]! * im[k]!
  return out
}
