/**
 * identify_faces: stable ids for the same person across frames (a batch file) or payloads (a
 * stream socket). Each id keeps the running mean of the descriptors assigned to it; a new
 * descriptor joins the nearest mean if it is closer than the threshold, else it starts a new id.
 * The state is plain data, so a socket can carry it between payloads that run on any thread.
 */

/**
 * Euclidean distance between face-api descriptors under which two faces are one person. face-api
 * suggests 0.6, which merges look-alikes; 0.5 keeps two people apart more often at the cost of
 * sometimes splitting one person.
 */
export const SAME_FACE_DISTANCE = 0.5

export interface KnownFaces {
  /** One mean descriptor per identity; its index is the id's number (`face_<i>`). */
  descriptors: Float32Array[]
  counts: number[]
}

export const noKnownFaces = (): KnownFaces => ({ descriptors: [], counts: [] })

/**
 * The id (`face_0`, `face_1`, ...) for this descriptor, updating that id's mean. Past `maxFaces`
 * identities no new one is learnt and an unmatched face is "unknown".
 */
export function assignFace(
  known: KnownFaces,
  descriptor: Float32Array,
  opts: { threshold?: number; maxFaces?: number } = {},
): string {
  let best = -1
  let bestDistance = Infinity
  known.descriptors.forEach((d, i) => {
    const dist = euclidean(d, descriptor)
    if (dist < bestDistance) {
      best = i
      bestDistance = dist
    }
  })
  if (best >= 0 && bestDistance < (opts.threshold ?? SAME_FACE_DISTANCE)) {
    const mean = known.descriptors[best]!
    const n = (known.counts[best] ?? 1) + 1
    for (let i = 0; i < mean.length; i++) mean[i] = (mean[i] ?? 0) + ((descriptor[i] ?? 0) - (mean[i] ?? 0)) / n
    known.counts[best] = n
    return `face_${best}`
  }
  if (known.descriptors.length >= (opts.maxFaces ?? Infinity)) return 'unknown'
  known.descriptors.push(Float32Array.from(descriptor))
  known.counts.push(1)
  return `face_${known.descriptors.length - 1}`
}

/** One file's identities (ids are not meant to match across files, as in Hume's output). */
export class FaceIdentifier {
  private readonly known = noKnownFaces()

  constructor(private readonly threshold = SAME_FACE_DISTANCE) {}

  assign(descriptor: Float32Array): string {
    return assignFace(this.known, descriptor, { threshold: this.threshold })
  }

  /** How many distinct ids have been handed out. */
  get size(): number {
    return this.known.descriptors.length
  }
}

export function euclidean(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`descriptor lengths differ: ${a.length} vs ${b.length}`)
  let s = 0
  for (let k = 0; k < a.length; k++) s += ((a[k] ?? 0) - (b[k] ?? 0)) ** 2
  return Math.sqrt(s)
}
