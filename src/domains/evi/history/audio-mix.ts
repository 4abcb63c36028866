/**
 * Mixing a chat's two recorded sides into one signal, block by block, so a long chat never has to
 * sit in memory whole. Pure: tracks are read through an interface (files in the worker thread,
 * arrays in tests).
 */

/** One recorded side: 16-bit mono PCM at `rate`, readable at any sample index. */
export interface TrackReader {
  readonly rate: number
  /** Samples recorded (the track is silent after them). */
  readonly length: number
  /** `count` samples from `start`; zeros past the end. */
  read(start: number, count: number): Promise<Int16Array>
}

/** Rates an MP3 (MPEG-1/2/2.5 layer III) can carry. */
export const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000] as const

/** The user's side is always 16 kHz (what the turn pipeline works at). */
export const USER_RATE = 16_000

/**
 * The output rate: the smallest MP3 rate at least as high as every track's, so mixing only ever
 * upsamples (linear interpolation is fine for that; downsampling would need a low-pass filter).
 */
export function outputRate(tracks: readonly TrackReader[]): number {
  const highest = Math.max(USER_RATE, ...tracks.map((t) => t.rate))
  return MP3_RATES.find((r) => r >= highest) ?? 48_000
}

/**
 * Samples in the mix: the chat's duration, or longer when audio ran past its end (the assistant's
 * last words still playing when the socket closed), never more than `maxSeconds`.
 */
export function outputLength(o: {
  durationMs: number
  rate: number
  tracks: readonly TrackReader[]
  maxSeconds: number
}): number {
  const fromDuration = Math.ceil((Math.max(0, o.durationMs) * o.rate) / 1000)
  const fromTracks = Math.max(0, ...o.tracks.map((t) => Math.ceil((t.length * o.rate) / t.rate)))
  return Math.min(Math.max(fromDuration, fromTracks), o.maxSeconds * o.rate)
}

/**
 * Adds the track's contribution to output samples [start, start + out.length) at `outRate`,
 * linearly interpolated between the track's samples.
 */
export async function addTrack(out: Float32Array, start: number, outRate: number, track: TrackReader): Promise<void> {
  const n = out.length
  if (n === 0) return
  // Integer arithmetic first: i * rate stays exact far beyond any chat's length.
  const position = (i: number) => ((start + i) * track.rate) / outRate
  const first = Math.floor(position(0))
  if (first >= track.length) return
  const last = Math.floor(position(n - 1)) + 1
  const src = await track.read(first, last - first + 1)
  for (let i = 0; i < n; i++) {
    const x = position(i)
    const k = Math.floor(x) - first
    const a = src[k] ?? 0
    const b = src[k + 1] ?? a
    out[i] = (out[i] ?? 0) + (a + (b - a) * (x - first - k)) / 32768
  }
}

/** The mix in blocks of at most `blockSamples`, each clamped to [-1, 1]. */
export async function* mixTracks(
  tracks: readonly TrackReader[],
  o: { rate: number; length: number; blockSamples: number },
): AsyncGenerator<Float32Array> {
  for (let start = 0; start < o.length; start += o.blockSamples) {
    const out = new Float32Array(Math.min(o.blockSamples, o.length - start))
    for (const t of tracks) await addTrack(out, start, o.rate, t)
    // Both sides talking at once (a barge-in) can sum past full scale: clip rather than wrap.
    for (let i = 0; i < out.length; i++) out[i] = Math.max(-1, Math.min(1, out[i] as number))
    yield out
  }
}

/** Float samples in [-1, 1] to 16-bit PCM. */
export function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length)
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] as number))
    out[i] = s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff)
  }
  return out
}

/** An in-memory track (tests, and the recorder's own checks). */
export function arrayTrack(samples: Int16Array, rate: number): TrackReader {
  return {
    rate,
    length: samples.length,
    read: async (start, count) => {
      const out = new Int16Array(count)
      if (start < samples.length) out.set(samples.subarray(Math.max(0, start), Math.min(samples.length, start + count)))
      return out
    },
  }
}
