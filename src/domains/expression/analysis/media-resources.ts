/**
 * A worker thread's media models, loaded on first use and kept for the thread's life: face-api
 * (tfjs on wasm), Silero VAD and the prosody classifier (onnxruntime / JSON weights), and the
 * configured speech recogniser. Nothing loads in a thread that never sees media.
 */
import type { AsrConfig } from '../../../config.js'
import type { AsrProvider } from '../../../shared/asr/asr.js'
import { createAsrProvider } from '../../../shared/asr/index.js'
import { lazy } from '../../../shared/lazy.js'
import { cropFace } from '../face/crop.js'
import { decodeImage } from '../face/decode-image.js'
import { FaceModel } from '../face/face-model.js'
import { FaceIdentifier } from '../face/identify.js'
import type { LanguageModel } from '../language/language-model.js'
import { ProsodyModel } from '../prosody/prosody-model.js'
import { SileroVad } from '../prosody/vad.js'
import type { MediaDeps } from './media-file.js'

export interface MediaThreadData {
  ffmpeg: string
  ffprobe: string
  asr: AsrConfig
  /** Private hosts the ASR server may be on (PROSODIA_FETCH_ALLOW). */
  fetchAllowList: readonly string[]
}

export function mediaResources(
  d: MediaThreadData,
  language: () => LanguageModel,
): (limits: MediaDeps['limits']) => MediaDeps {
  const face = lazy(() => FaceModel.load())
  const vad = lazy(() => SileroVad.load())
  const prosody = lazy(async () => ProsodyModel.fromPath())
  const asr = lazy<AsrProvider | null>(() => createAsrProvider({ ...d.asr, fetchAllowList: d.fetchAllowList }))
  const faces = lazy(async () => {
    const model = await face()
    return {
      detect: (img: Parameters<FaceModel['detect']>[0], o: Parameters<FaceModel['detect']>[1]) => model.detect(img, o),
      identifier: () => new FaceIdentifier(),
      crop: (img: Parameters<typeof cropFace>[0], box: Parameters<typeof cropFace>[1]) => cropFace(img, box),
    }
  })
  return (limits) => ({
    language,
    faces,
    vad,
    prosody,
    asr,
    decodeImage: (file, o) => decodeImage(file, o),
    ffmpeg: { ffmpeg: d.ffmpeg, ffprobe: d.ffprobe },
    limits,
  })
}
