/** A payload's `models` resolved to what the worker runs, with Hume's defaults. */
import { streamFailures } from './stream.codes.js'
import type { StreamSelection } from './stream.analyze.js'
import type { StreamModels } from './stream.schemas.js'

/** Models Hume streams that this build has no model for (see the README): an honest E0102. */
export const UNAVAILABLE_MODELS = ['burst', 'facemesh'] as const

/** Sampling rate for `fps_pred: 0` ("every frame"): frames are taken at up to this rate. */
const EVERY_FRAME_FPS = 30

export function resolveSelection(models: StreamModels): StreamSelection {
  const missing = UNAVAILABLE_MODELS.filter((m) => models[m] != null)
  if (missing.length > 0) throw streamFailures.unavailable([...missing])
  const sel: StreamSelection = {}
  if (models.face != null) {
    const f = models.face
    // Fern's stream definition gives "3" as the default of every face option, which is no
    // probability or size; these are Hume's documented batch defaults.
    sel.face = {
      probThreshold: f.prob_threshold ?? 0.99,
      minFaceSize: f.min_face_size ?? 60,
      identifyFaces: f.identify_faces ?? false,
      fpsPred: f.fps_pred == null ? 3 : f.fps_pred > 0 ? f.fps_pred : EVERY_FRAME_FPS,
    }
  }
  if (models.prosody != null) sel.prosody = {}
  if (models.language != null) sel.language = { granularity: models.language.granularity ?? 'word' }
  if (Object.keys(sel).length === 0) throw streamFailures.invalidPayload('models names no model')
  return sel
}
