/**
 * The recorded tracks' file format: a 44-byte WAV header (16-bit mono PCM) and the samples. WAV
 * rather than raw PCM so that a track names its own rate (the assistant's depends on the TTS engine)
 * and can be played as it is when debugging.
 */
import { wavHeader } from '../../tts/audio-encoding.js'

export const TRACK_HEADER_BYTES = 44

export function trackHeader(rate: number, dataBytes: number): Uint8Array {
  return wavHeader(rate, dataBytes)
}

export class TrackFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TrackFormatError'
  }
}

/** The rate of a track written by the recorder; anything else is refused. */
export function parseTrackHeader(h: Uint8Array): { rate: number } {
  if (h.length < TRACK_HEADER_BYTES) throw new TrackFormatError('track shorter than its header')
  const v = new DataView(h.buffer, h.byteOffset, h.byteLength)
  const tag = (off: number) => String.fromCharCode(...h.subarray(off, off + 4))
  const ok =
    tag(0) === 'RIFF' &&
    tag(8) === 'WAVE' &&
    tag(12) === 'fmt ' &&
    tag(36) === 'data' &&
    v.getUint16(20, true) === 1 &&
    v.getUint16(22, true) === 1 &&
    v.getUint16(34, true) === 16
  const rate = v.getUint32(24, true)
  if (!ok || rate < 1000 || rate > 192_000) throw new TrackFormatError('not a 16-bit mono PCM track')
  return { rate }
}
