/**
 * Linear-interpolation resampling by `factor` (> 1 shortens and raises pitch): how both engines
 * shift pitch where the engine itself cannot. Quality is adequate for the small factors voice
 * design uses (at most an octave); it is not a general-purpose rate converter.
 */
export function resample(samples: Float32Array, factor: number): Float32Array {
  if (factor === 1) return samples
  const n = Math.floor(samples.length / factor)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const x = i * factor
    const k = Math.floor(x)
    const a = samples[k] ?? 0
    out[i] = a + ((samples[k + 1] ?? a) - a) * (x - k)
  }
  return out
}
