/**
 * Face identities of one socket (identify_faces). Payloads run on whichever worker thread is
 * free, so the registry cannot live in a thread: it is plain data that travels with each payload
 * and comes back updated. Hume keeps one identity cache for the whole session, even across
 * `reset_stream`, and so does this.
 */

/**
 * Euclidean distance between face-api descriptors under which two faces are one person: the
 * batch FaceIdentifier's default (face/identify.ts), whose state is private to one thread.
 */
export const SAME_FACE_DISTANCE = 0.5

/** Bounds what a socket carries between payloads (128 floats per face). */
export const MAX_KNOWN_FACES = 256

export interface KnownFaces {
  /** One mean descriptor per identity; its index is the id's number (`face_<i>`). */
  descriptors: Float32Array[]
  counts: number[]
}

export const noKnownFaces = (): KnownFaces => ({ descriptors: [], counts: [] })

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    s += d * d
  }
  return Math.sqrt(s)
}

/**
 * The id of the nearest known face within SAME_FACE_DISTANCE, or a new id. A matched identity's
 * descriptor becomes the running mean, so it follows a face whose pose drifts over the stream.
 */
export function assignFace(known: KnownFaces, descriptor: Float32Array): string {
  let best = -1
  let bestDistance = Infinity
  known.descriptors.forEach((d, i) => {
    const dist = distance(d, descriptor)
    if (dist < bestDistance) {
      best = i
      bestDistance = dist
    }
  })
  if (best >= 0 && bestDistance < SAME_FACE_DISTANCE) {
    const mean = known.descriptors[best]!
    const n = (known.counts[best] ?? 1) + 1
    for (let i = 0; i < mean.length; i++) mean[i] = (mean[i] ?? 0) + ((descriptor[i] ?? 0) - (mean[i] ?? 0)) / n
    known.counts[best] = n
    return `face_${best}`
  }
  // A socket that has met more faces than it may remember stops learning new ones: the rest are
  // reported as "unknown" rather than growing what every payload carries.
  if (known.descriptors.length >= MAX_KNOWN_FACES) return 'unknown'
  known.descriptors.push(Float32Array.from(descriptor))
  known.counts.push(1)
  return `face_${known.descriptors.length - 1}`
}
