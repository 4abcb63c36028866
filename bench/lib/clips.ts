// The user's speech for the EVI chat benchmark: the RAVDESS clips of ../shared/data/ravdess-samples
// (48 kHz mono 16-bit, one short sentence each) cut into 20 ms microphone frames, with the frame
// where the speech ends marked.
import { readdirSync } from 'node:fs'
import { ravdessPcm } from '../../test/helpers/evi-chat.js'
import { sharedPath } from '../../test/helpers/shared-data.js'

export interface Clip {
  name: string
  sampleRate: number
  /** Base64 linear16 frames of 20 ms, as audio_input carries them. */
  frames: string[]
  /** The last frame that is not silence: its send time is the end of the user's speech. */
  lastVoicedFrame: number
  /** Ms from the first to the last voiced frame. */
  speechMs: number
}

/**
 * A frame is voiced when its level is within this many dB of the clip's loudest frame. The clips'
 * room noise sits 40-60 dB below their speech and a sentence's last word decays over 100-200 ms;
 * 30 dB puts the end where that decay reaches the noise, which is also about where Silero stops
 * hearing speech.
 */
export const VOICED_WITHIN_DB = 30
/** Silence kept before the first voiced frame (the clips open with about a second of room noise). */
export const LEAD_MS = 200
const FRAME_MS = 20

function levelsDb(pcm: Buffer, bytesPerFrame: number): number[] {
  const out: number[] = []
  for (let off = 0; off + bytesPerFrame <= pcm.length; off += bytesPerFrame) {
    let sum = 0
    for (let i = off; i < off + bytesPerFrame; i += 2) {
      const v = pcm.readInt16LE(i) / 32768
      sum += v * v
    }
    out.push(10 * Math.log10(sum / (bytesPerFrame / 2) + 1e-12))
  }
  return out
}

export function loadClip(file: string): Clip {
  const { pcm, sampleRate } = ravdessPcm(file)
  const bytesPerFrame = (sampleRate / (1000 / FRAME_MS)) * 2
  const levels = levelsDb(pcm, bytesPerFrame)
  const loudest = Math.max(...levels)
  const voiced = levels.map((db) => db >= loudest - VOICED_WITHIN_DB)
  const firstVoiced = voiced.indexOf(true)
  const lastVoiced = voiced.lastIndexOf(true)
  if (firstVoiced < 0) throw new Error(`${file}: no speech found`)
  const start = Math.max(0, firstVoiced - LEAD_MS / FRAME_MS)
  const frames: string[] = []
  for (let f = start; f < levels.length; f++)
    frames.push(pcm.subarray(f * bytesPerFrame, (f + 1) * bytesPerFrame).toString('base64'))
  return {
    name: file,
    sampleRate,
    frames,
    lastVoicedFrame: lastVoiced - start,
    speechMs: (lastVoiced - firstVoiced + 1) * FRAME_MS,
  }
}

/** Every RAVDESS clip, in name order (one per emotion). */
export function loadClips(): Clip[] {
  const dir = sharedPath('data', 'ravdess-samples')
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map(loadClip)
}

/** 20 ms of silence at this rate, base64. */
export function silenceFrame(sampleRate: number): string {
  return Buffer.alloc((sampleRate / (1000 / FRAME_MS)) * 2).toString('base64')
}
