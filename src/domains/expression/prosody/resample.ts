/**
 * Mix-down and sample-rate conversion to the 16 kHz mono the prosody model and Silero VAD expect.
 *
 * Downsampling needs a real anti-aliasing low-pass: linear interpolation folds everything above the new
 * Nyquist frequency back into the band, which shifts spectral-slope and MFCC features of 44.1/48 kHz uploads
 * away from what the model was trained on. This is a Kaiser-windowed sinc evaluated as a polyphase filter: the
 * rate ratio is reduced to L/M with integers, so only L distinct filter phases exist and are tabulated once.
 */

export const TARGET_RATE = 16_000

/** Sinc zero crossings on each side of the centre tap; more gives a steeper transition band. */
const HALF_ZEROS = 24
/** Cut-off as a fraction of the lower Nyquist frequency; the Kaiser transition band sits around it. */
const ROLLOFF = 0.9
/** Kaiser beta ≈ 8.6 gives roughly 85–90 dB stop-band attenuation. */
const KAISER_BETA = 8.6
/** Above this many coefficients the table would cost more memory than recomputing (odd, non-round rates). */
const MAX_TABLE = 2_000_000

interface Filter {
  up: number // L: output samples per cycle
  down: number // M: input samples per cycle
  halfWidth: number // taps on each side, in input samples
  /** L rows of 2*halfWidth taps, or undefined when computed on the fly. */
  table?: Float32Array
  fc: number // cut-off in cycles per input sample
  reach: number // half-length of the window in input samples (float)
}

// Per-thread memo keyed by input rate: pure data, safe to rebuild in each worker thread.
const filters = new Map<number, Filter>()

/** Averages channels into one; empty input gives an empty signal. */
export function mixDown(channels: Float32Array[]): Float32Array {
  const first = channels[0]
  if (!first) return new Float32Array(0)
  if (channels.length === 1) return first
  const length = Math.min(...channels.map((c) => c.length))
  const out = new Float32Array(length)
  for (const ch of channels) for (let i = 0; i < length; i++) out[i]! += ch[i]! / channels.length
  return out
}

/** Mixes to mono and resamples to 16 kHz with a band-limited (windowed-sinc) filter. Always returns a new array. */
export function toMono16k(channels: Float32Array[], sampleRate: number): Float32Array {
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) throw new RangeError(`invalid sample rate ${sampleRate}`)
  const mono = mixDown(channels)
  const rate = Math.round(sampleRate)
  if (rate === TARGET_RATE) return channels.length === 1 ? Float32Array.from(mono) : mono
  return resample(mono, rate, TARGET_RATE)
}

/** Resamples `input` from `fromRate` to `toRate` (integers, Hz). */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return Float32Array.from(input)
  const f = filterFor(fromRate, toRate)
  const { up, down, halfWidth } = f
  const outLength = Math.ceil((input.length * up) / down)
  const out = new Float32Array(outLength)
  const taps = 2 * halfWidth
  const row = new Float32Array(taps)
  for (let j = 0; j < outLength; j++) {
    // Output j sits at input time j*M/L = base + phase/L.
    const pos = j * down
    const base = Math.floor(pos / up)
    const phase = pos - base * up
    const coeffs = f.table ? f.table.subarray(phase * taps, phase * taps + taps) : phaseRow(f, phase, row)
    const start = base - halfWidth + 1
    let acc = 0
    if (start >= 0 && start + taps <= input.length) {
      for (let k = 0; k < taps; k++) acc += coeffs[k]! * input[start + k]!
    } else {
      for (let k = 0; k < taps; k++) {
        const n = start + k
        if (n >= 0 && n < input.length) acc += coeffs[k]! * input[n]!
      }
    }
    out[j] = acc
  }
  return out
}

/** Input samples the filter reads on each side of an output instant: the history a streaming caller keeps. */
export function filterHalfWidth(fromRate: number, toRate: number): number {
  return fromRate === toRate ? 0 : filterFor(fromRate, toRate).halfWidth
}

function filterFor(fromRate: number, toRate: number): Filter {
  const key = fromRate * 1e6 + toRate
  const cached = filters.get(key)
  if (cached) return cached
  const g = gcd(fromRate, toRate)
  const up = toRate / g
  const down = fromRate / g
  // Cut-off below the lower of the two Nyquist frequencies, in cycles per input sample.
  const fc = (ROLLOFF * 0.5 * Math.min(fromRate, toRate)) / fromRate
  const reach = HALF_ZEROS / (2 * fc)
  const halfWidth = Math.ceil(reach)
  const f: Filter = { up, down, halfWidth, fc, reach }
  if (up * 2 * halfWidth <= MAX_TABLE) {
    const taps = 2 * halfWidth
    const table = new Float32Array(up * taps)
    for (let p = 0; p < up; p++) phaseRow(f, p, table.subarray(p * taps, p * taps + taps))
    f.table = table
  }
  filters.set(key, f)
  return f
}

/** Fills `row` with the taps for fractional offset phase/L, normalised to unit DC gain. */
function phaseRow(f: Filter, phase: number, row: Float32Array): Float32Array {
  const frac = phase / f.up
  const i0Beta = besselI0(KAISER_BETA)
  let sum = 0
  for (let k = 0; k < row.length; k++) {
    // Tap k reads input sample base - halfWidth + 1 + k, at distance d from the output instant.
    const d = k - f.halfWidth + 1 - frac
    let h = 0
    if (Math.abs(d) < f.reach) {
      const x = 2 * f.fc * d
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x)
      const r = d / f.reach
      h = 2 * f.fc * sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta)
    }
    row[k] = h
    sum += h
  }
  // Exact unity gain at DC for every phase, so a constant stays constant (no phase-dependent ripple).
  if (sum !== 0) for (let k = 0; k < row.length; k++) row[k]! /= sum
  return row
}

function besselI0(x: number): number {
  let sum = 1
  let term = 1
  const q = (x * x) / 4
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k)
    sum += term
    if (term < sum * 1e-12) break
  }
  return sum
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}
