/**
 * The real models and decoders behind a thread's stream analysis: face-api (face/face-model.ts),
 * Silero VAD and the EmoDB-trained prosody classifier (prosody/), audio-decode for audio and
 * Debian's ffmpeg for video (media/). Each loads on first use and stays for the thread's life.
 */
import { decodeImage } from '../face/decode-image.js'
import { FaceModel } from '../face/face-model.js'
import type { MediaDeps } from '../analysis/media-file.js'
import type { LanguageModel } from '../language/language-model.js'
import { decodeAudio } from '../media/decode-audio.js'
import { extractAudio, videoFrames } from '../media/ffmpeg.js'
import { resolveContainer } from '../media/media-kind.js'
import { MediaError } from '../media/media-error.js'
import { STREAM_LIMITS, streamFailures, StreamFailure } from './stream.codes.js'
import type { StreamEngines } from './stream.analyze.js'

/** Media errors of the decoders, as Hume's codes: `kind` says which limit a too-long file broke. */
function mediaFailure(err: unknown, kind: 'audio' | 'video'): never {
  if (err instanceof StreamFailure) throw err
  if (err instanceof MediaError) {
    switch (err.code) {
      case 'too_long':
        throw kind === 'audio' ? streamFailures.audioTooLong(null) : streamFailures.videoTooLong(null)
      case 'aborted':
        throw err
      case 'no_ffmpeg':
        throw streamFailures.unknownFormat(err.message)
      case 'unsupported':
        throw streamFailures.unknownFormat(`the ${kind} is not in a supported format`)
      default:
        throw kind === 'audio' ? streamFailures.noAudio(err.message) : streamFailures.unknownFormat(err.message)
    }
  }
  throw err
}

/** The thread's models, shared with its batch jobs (loaded once per thread, see media-resources.ts). */
export function realEngines(o: {
  tmpDir: string
  language: () => LanguageModel
  media: Pick<MediaDeps, 'vad' | 'prosody' | 'ffmpeg'>
}): StreamEngines {
  const binaries = o.media.ffmpeg
  const maxPixels = STREAM_LIMITS.imageSide * STREAM_LIMITS.imageSide
  return {
    language: o.language,
    face: () => FaceModel.load(),
    prosody: o.media.prosody,
    vad: o.media.vad,
    tmpDir: o.tmpDir,
    async decodeImage(bytes) {
      try {
        return await decodeImage(bytes, { maxPixels })
      } catch (err) {
        if (!(err instanceof MediaError)) throw err
        if (err.code === 'too_large') throw streamFailures.imageTooLarge()
        throw streamFailures.unknownFormat(err.message)
      }
    },
    async decodeAudio(bytes, opts) {
      try {
        return (await decodeAudio(bytes, opts)).pcm
      } catch (err) {
        mediaFailure(err, 'audio')
      }
    },
    resolveKind: (file, sniffed, signal) => resolveContainer(file, sniffed, { signal, binaries }),
    async *videoFrames(file, opts) {
      try {
        yield* videoFrames(file, { ...opts, binaries })
      } catch (err) {
        mediaFailure(err, 'video')
      }
    },
    async videoAudio(file, opts) {
      try {
        return await extractAudio(file, { ...opts, binaries })
      } catch (err) {
        mediaFailure(err, opts.kind)
      }
    },
  }
}
