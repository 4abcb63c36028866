/**
 * Face identities of one socket (identify_faces). Payloads run on whichever worker thread is
 * free, so the registry cannot live in a thread: it is plain data (face/identify.ts) that travels
 * with each payload and comes back updated. Hume keeps one identity cache for the whole session,
 * even across `reset_stream`, and so does this.
 */
import { assignFace as assign, type KnownFaces } from '../face/identify.js'

export { noKnownFaces, type KnownFaces } from '../face/identify.js'

/** Bounds what a socket carries between payloads (128 floats per face). */
export const MAX_KNOWN_FACES = 256

/**
 * A socket that has met more faces than it may remember stops learning new ones: the rest are
 * reported as "unknown" rather than growing what every payload carries.
 */
export const assignFace = (known: KnownFaces, descriptor: Float32Array): string =>
  assign(known, descriptor, { maxFaces: MAX_KNOWN_FACES })
