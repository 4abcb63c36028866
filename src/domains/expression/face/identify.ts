/**
 * identify_faces: stable ids for the same person across the frames of one
 * file. Each id keeps the running mean of the descriptors assigned to it; a
 * new descriptor joins the nearest mean if it is closer than the threshold,
 * else it starts a new id. One FaceIdentifier per file (ids are not meant to
 * match across files, as in Hume's output).
 */
export class FaceIdentifier {
  private readonly centroids: { sum: Float64Array; count: number; mean: Float32Array }[] = []

  /**
   * @param threshold Euclidean distance between face-api descriptors. face-api
   * suggests 0.6 for "same person", which merges look-alikes; 0.5 keeps two
   * people apart more often at the cost of sometimes splitting one person.
   */
  constructor(private readonly threshold = 0.5) {}

  /** The id (`face_0`, `face_1`, ...) for this descriptor; also updates that id's mean. */
  assign(descriptor: Float32Array): string {
    let best = -1
    let bestDistance = Infinity
    for (const [i, c] of this.centroids.entries()) {
      const d = euclidean(c.mean, descriptor)
      if (d < bestDistance) {
        best = i
        bestDistance = d
      }
    }
    const hit = this.centroids[best]
    if (hit === undefined || bestDistance >= this.threshold) {
      this.centroids.push({ sum: Float64Array.from(descriptor), count: 1, mean: Float32Array.from(descriptor) })
      return `face_${this.centroids.length - 1}`
    }
    hit.count++
    for (let k = 0; k < hit.sum.length; k++) {
      hit.sum[k] = (hit.sum[k] ?? 0) + (descriptor[k] ?? 0)
      hit.mean[k] = (hit.sum[k] ?? 0) / hit.count
    }
    return `face_${best}`
  }

  /** How many distinct ids have been handed out. */
  get size(): number {
    return this.centroids.length
  }
}

export function euclidean(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`descriptor lengths differ: ${a.length} vs ${b.length}`)
  let s = 0
  for (let k = 0; k < a.length; k++) s += ((a[k] ?? 0) - (b[k] ?? 0)) ** 2
  return Math.sqrt(s)
}
