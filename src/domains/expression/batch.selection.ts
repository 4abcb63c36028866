/**
 * What a job asks of this server: the request's `models` and `transcription`, with Hume's
 * defaults filled in, as plain data a worker thread receives.
 */
import type { Face, Granularity, InferenceRequest, Prosody, Transcription } from './batch.schemas.js'

export interface FaceSelection {
  /** Frames per second analysed in video; 0: every frame. */
  fpsPred: number
  probThreshold: number
  identifyFaces: boolean
  minFaceSize: number
  saveFaces: boolean
}

export interface ProsodySelection {
  granularity: Granularity
  /** A sliding window (seconds) replaces the granularity when set. */
  window: { length: number; step: number } | null
  identifySpeakers: boolean
}

export interface TranscriptionSelection {
  language: string | null
  identifySpeakers: boolean
  confidenceThreshold: number
}

/** Which of this server's models a job runs, resolved from the request. */
export interface ModelSelection {
  language?: { granularity: Granularity }
  ner?: Record<string, never>
  face?: FaceSelection
  prosody?: ProsodySelection
  /** Asked for, but no honest open model exists: every media file gets an error saying so. */
  burst?: true
  facemesh?: true
  /** null: the request turned transcription off (`"transcription": null`). */
  transcription?: TranscriptionSelection | null
}

/** What "all models" means on this server: those it has, with Hume's defaults. */
export const DEFAULT_MODELS = Object.freeze({
  face: { fps_pred: 3, prob_threshold: 0.99, identify_faces: false, min_face_size: 60, save_faces: false },
  prosody: { granularity: 'utterance', identify_speakers: false, window: null },
  language: { granularity: 'word', identify_speakers: false, sentiment: null, toxicity: null },
  ner: { identify_speakers: false },
})

export const DEFAULT_TRANSCRIPTION = Object.freeze({
  language: null,
  identify_speakers: false,
  confidence_threshold: 0.5,
})

function face(f: NonNullable<Face>): FaceSelection {
  return {
    fpsPred: f.fps_pred ?? 3,
    probThreshold: f.prob_threshold ?? 0.99,
    identifyFaces: f.identify_faces ?? false,
    minFaceSize: f.min_face_size ?? 60,
    saveFaces: f.save_faces ?? false,
  }
}

function prosody(p: NonNullable<Prosody>): ProsodySelection {
  const w = p.window
  return {
    granularity: p.granularity ?? 'utterance',
    window: w ? { length: w.length ?? 4, step: w.step ?? 1 } : null,
    identifySpeakers: p.identify_speakers ?? false,
  }
}

function transcription(t: Transcription | undefined): TranscriptionSelection | null {
  if (t === null) return null
  return {
    language: t?.language ?? null,
    identifySpeakers: t?.identify_speakers ?? false,
    confidenceThreshold: t?.confidence_threshold ?? 0.5,
  }
}

/** The models this server runs for a stored request (its `models` already has defaults filled in). */
export function selectModels(
  models: InferenceRequest['models'],
  transcriptionRequest?: InferenceRequest['transcription'],
): ModelSelection {
  const sel: ModelSelection = {}
  const m = models as {
    language?: { granularity?: Granularity | null } | null
    face?: Face
    prosody?: Prosody
  } & Record<string, unknown>
  if (m.language) sel.language = { granularity: m.language.granularity ?? 'word' }
  if (m.ner) sel.ner = {}
  if (m.face) sel.face = face(m.face)
  if (m.prosody) sel.prosody = prosody(m.prosody)
  if (m.burst) sel.burst = true
  if (m.facemesh) sel.facemesh = true
  sel.transcription = transcription(transcriptionRequest as Transcription | undefined)
  return sel
}
