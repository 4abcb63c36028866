// Audio helpers shared by the Speech and Voices pages: bytes → playable object URLs, decoded samples
// for waveforms, and the WAV framing the streaming player needs.
import { useEffect, useState } from 'preact/hooks'

export type SpeechFormat = 'mp3' | 'wav'

export const MIME: Record<SpeechFormat, string> = { mp3: 'audio/mpeg', wav: 'audio/wav' }

/** A finished piece of audio: what a player, a waveform and "Save voice" need. */
export interface SpeechClip {
  generationId: string
  format: SpeechFormat
  bytes: Uint8Array
  /** Seconds, as the API reported it (streamed clips: as decoded). */
  duration: number | undefined
}

/** An object URL for the bytes, revoked when they change or the component goes away. */
export function useObjectUrl(bytes: Uint8Array, mime: string): string | undefined {
  const [url, setUrl] = useState<string>()
  useEffect(() => {
    const next = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }))
    setUrl(next)
    return () => URL.revokeObjectURL(next)
  }, [bytes, mime])
  return url
}

let shared: AudioContext | undefined

/**
 * One AudioContext for the whole console: Chromium limits how many a page may hold, and decoding
 * needs no user gesture (only playback does, which the Synthesize click provides).
 */
export function audioContext(): AudioContext {
  shared ??= new AudioContext()
  return shared
}

/** The first channel's samples; decodeAudioData detaches its input, so it gets a copy. */
export async function decodeSamples(bytes: Uint8Array): Promise<AudioBuffer> {
  return audioContext().decodeAudioData(bytes.slice().buffer)
}

export function formatSeconds(seconds: number | undefined): string {
  return seconds !== undefined && Number.isFinite(seconds) ? `${seconds.toFixed(2)} s` : '…'
}

const WAV_HEADER = 44

/** The sample rate of a 44-byte PCM WAV header, or undefined if these bytes do not start one. */
export function wavSampleRate(bytes: Uint8Array): number | undefined {
  if (bytes.length < WAV_HEADER) return undefined
  const tag = String.fromCharCode(...bytes.subarray(0, 4))
  if (tag !== 'RIFF') return undefined
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(24, true)
}

/**
 * A streamed WAV says "unknown length" (0xFFFFFFFF sizes) since the server cannot know it up front;
 * once every byte is here the sizes are set, so the player shows a finite duration and can seek.
 */
export function finishWav(bytes: Uint8Array): Uint8Array {
  if (wavSampleRate(bytes) === undefined) return bytes
  const out = bytes.slice()
  const view = new DataView(out.buffer)
  view.setUint32(4, out.length - 8, true)
  view.setUint32(40, out.length - WAV_HEADER, true)
  return out
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

export { WAV_HEADER }
