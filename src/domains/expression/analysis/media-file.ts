/**
 * One image, audio or video file → the predictions of every requested model that applies to it.
 * A problem with the file itself throws MediaError (the caller turns it into that file's error);
 * models that do not apply, or that this build does not have, become messages in `errors`.
 */
import { readFile } from 'node:fs/promises'
import type { InferencePrediction } from '../batch.schemas.js'
import type { ModelSelection } from '../batch.selection.js'
import { decodeAudio } from '../media/decode-audio.js'
import { extractAudio, ffmpegAvailable, probeMedia, videoFrames, type FfmpegBinaries } from '../media/ffmpeg.js'
import { MediaError, mediaErrors } from '../media/media-error.js'
import { resolveContainer } from '../media/media-kind.js'
import type { MediaKind } from '../media/signatures.js'
import { analyseSpeech, type SpeechModels } from './analyze-speech.js'
import { FaceCollector, type FaceCrop, type FaceModels, type RgbImage } from './faces.js'

export const BURST_UNAVAILABLE =
  'burst is not available in this build: there is no open vocal-burst model or data to train one (see the README)'
export const FACEMESH_UNAVAILABLE =
  'facemesh is not available in this build: there is no labelled data to learn emotions from face landmarks (see the README)'

export interface MediaDeps extends SpeechModels {
  faces(): Promise<FaceModels>
  decodeImage(file: string, opts: { maxPixels: number }): Promise<RgbImage>
  ffmpeg: FfmpegBinaries
  limits: {
    /** Longest audio or video analysed (Hume: one hour). */
    mediaSeconds: number
    imagePixels: number
    /** Face predictions this file may still add (the job's prediction budget). */
    predictions: number
    /** Epoch ms: past it, no more frames are analysed (the job's time limit). */
    deadline: number
  }
}

export interface MediaOutcome {
  fileType: 'image' | 'audio' | 'video'
  models: InferencePrediction['models']
  crops: FaceCrop[]
  /** Messages for this file's error entries. */
  errors: string[]
}

/** The most frames per second analysed (the schema caps fps_pred at 60 too). */
export const MAX_FPS = 60

const speechModels = (sel: ModelSelection) => Boolean(sel.prosody || sel.language || sel.ner)

function notApplicable(fileType: MediaOutcome['fileType'], sel: ModelSelection): string {
  const asked = (['face', 'prosody', 'language', 'ner', 'burst', 'facemesh'] as const).filter((m) => sel[m])
  const fits = { image: 'face does', audio: 'prosody, language or ner do', video: 'face, prosody, language or ner do' }[
    fileType
  ]
  const what = fileType === 'image' ? 'an image' : fileType
  return `none of the requested models (${asked.join(', ') || 'none'}) applies to ${what}: ${fits}`
}

async function image(file: string, sel: ModelSelection, deps: MediaDeps): Promise<MediaOutcome> {
  const errors = sel.facemesh ? [FACEMESH_UNAVAILABLE] : []
  if (!sel.face)
    return {
      fileType: 'image',
      models: {},
      crops: [],
      errors: errors.length ? errors : [notApplicable('image', sel)],
    }
  const img = await deps.decodeImage(file, { maxPixels: deps.limits.imagePixels })
  const faces = new FaceCollector(await deps.faces(), sel.face)
  await faces.addFrame(img, 0, 0)
  return { fileType: 'image', models: { face: faces.result() }, crops: faces.crops, errors }
}

async function audio(
  pcm: Float32Array,
  sel: ModelSelection,
  deps: MediaDeps,
  signal: AbortSignal,
): Promise<MediaOutcome> {
  const errors = sel.burst ? [BURST_UNAVAILABLE] : []
  if (!speechModels(sel))
    return { fileType: 'audio', models: {}, crops: [], errors: errors.length ? errors : [notApplicable('audio', sel)] }
  const speech = await analyseSpeech(pcm, sel, deps, signal)
  if (speech.notes.includes('no speech detected')) throw new MediaError('empty', 'no speech detected in the audio')
  return { fileType: 'audio', models: speech.models, crops: [], errors: [...errors, ...speech.notes] }
}

async function video(file: string, sel: ModelSelection, deps: MediaDeps, signal: AbortSignal): Promise<MediaOutcome> {
  if (!(await ffmpegAvailable(deps.ffmpeg))) throw mediaErrors.noFfmpeg()
  const info = await probeMedia(file, { signal, binaries: deps.ffmpeg })
  const maxSeconds = deps.limits.mediaSeconds
  if (info.durationSeconds !== null && info.durationSeconds > maxSeconds)
    throw mediaErrors.tooLong(info.durationSeconds, maxSeconds)
  const errors: string[] = []
  if (sel.burst) errors.push(BURST_UNAVAILABLE)
  if (sel.facemesh) errors.push(FACEMESH_UNAVAILABLE)
  if (!sel.face && !speechModels(sel)) {
    return { fileType: 'video', models: {}, crops: [], errors: errors.length ? errors : [notApplicable('video', sel)] }
  }
  const models: MediaOutcome['models'] = {}
  let crops: FaceCrop[] = []
  if (sel.face) {
    const faces = new FaceCollector(await deps.faces(), sel.face)
    const nativeFps = info.video?.fps ?? 25
    // fps_pred 0 is every frame; never more often than the video has frames, nor than MAX_FPS
    // (a 240 fps slow-motion clip is analysed at 60).
    const fps = Math.min(sel.face.fpsPred > 0 ? sel.face.fpsPred : nativeFps, nativeFps, MAX_FPS)
    for await (const f of videoFrames(file, { fps, maxSeconds, signal, binaries: deps.ffmpeg })) {
      await faces.addFrame(f.image, Math.round(f.time * nativeFps), f.time)
      if (faces.count > deps.limits.predictions) {
        errors.push(`the job's prediction limit was reached at ${f.time.toFixed(1)} s; later frames are not analysed`)
        break
      }
      if (Date.now() > deps.limits.deadline) {
        errors.push(
          `the job's time limit was reached at ${f.time.toFixed(1)} s of the video; later frames are not analysed`,
        )
        break
      }
    }
    models.face = faces.result()
    crops = faces.crops
  }
  if (speechModels(sel) && Date.now() > deps.limits.deadline) {
    errors.push("the job's time limit was reached before the video's sound was analysed")
  } else if (speechModels(sel)) {
    const pcm = await extractAudio(file, { maxSeconds, signal, binaries: deps.ffmpeg })
    if (pcm) {
      const speech = await analyseSpeech(pcm, sel, deps, signal)
      Object.assign(models, speech.models)
      errors.push(...speech.notes.filter((n) => n !== 'no speech detected'))
    }
  }
  return { fileType: 'video', models, crops, errors }
}

/**
 * Audio through ffmpeg when it is installed, else through the JS decoders (whose AAC decoder is
 * FAAD2 compiled to wasm, GPL-2.0: with ffmpeg it is never loaded; README: Licences).
 */
async function decodeAudioFile(file: string, deps: MediaDeps, signal: AbortSignal): Promise<Float32Array> {
  const maxSeconds = deps.limits.mediaSeconds
  // ffmpeg also resamples as it decodes, so an hour of 48 kHz stereo never sits in memory at its
  // native rate (1.3 GB as floats; 230 MB at 16 kHz mono): the JS decoders are the fallback.
  if (await ffmpegAvailable(deps.ffmpeg)) {
    const pcm = await extractAudio(file, { maxSeconds, signal, binaries: deps.ffmpeg })
    if (!pcm) throw new MediaError('empty', 'the file has no audio track')
    return pcm
  }
  return (await decodeAudio(await readFile(file), { maxSeconds, signal })).pcm
}

export async function analyseMediaFile(
  file: string,
  sniffed: MediaKind,
  sel: ModelSelection,
  deps: MediaDeps,
  signal: AbortSignal,
): Promise<MediaOutcome> {
  const kind =
    sniffed.fileType === 'image' ? sniffed : await resolveContainer(file, sniffed, { binaries: deps.ffmpeg, signal })
  if (kind.fileType === 'image') return image(file, sel, deps)
  if (kind.fileType === 'video') return video(file, sel, deps, signal)
  return audio(await decodeAudioFile(file, deps, signal), sel, deps, signal)
}
