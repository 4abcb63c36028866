/**
 * The two speech corpora the prosody model is trained and checked on, read from `../shared/data` (never
 * copied into the repository): file lists with labels parsed from file names, and the 16 kHz speech span
 * each file contributes. Shared by scripts/train-prosody.ts and the evaluation test so both measure the same thing.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { EMODB_CLASSES, EMODB_LETTERS } from './emotion-map.js'
import type { EmodbClass } from './emotion-map.js'
import { toMono16k } from './resample.js'
import type { SileroVad } from './vad.js'
import { readWavFile } from './wav.js'

export interface CorpusItem {
  file: string
  speaker: string
  /** Index into EMODB_CLASSES, or -1 when the corpus label has no EmoDB counterpart. */
  label: number
  /** The corpus' own label. */
  original: string
}

/** EmoDB names are SS TTT E v .wav: speaker, text, emotion letter, version. */
export function emodbItems(dir: string): CorpusItem[] {
  const wav = join(dir, 'wav')
  if (!existsSync(wav)) throw new Error(`EmoDB is missing at ${wav}: see ../shared/data/emodb/README.md`)
  return readdirSync(wav)
    .filter((f) => /^\d\d[ab]\d\d[A-Z][a-z]\.wav$/.test(f))
    .sort()
    .map((f) => {
      const cls = EMODB_LETTERS[f[5]!]
      if (!cls) throw new Error(`unknown EmoDB emotion letter in ${f}`)
      return { file: join(wav, f), speaker: f.slice(0, 2), label: EMODB_CLASSES.indexOf(cls), original: cls }
    })
}

const RAVDESS_EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised']

/**
 * RAVDESS emotion -> EmoDB class. Calm and surprised have no EmoDB counterpart (calm is not EmoDB's neutral
 * and EmoDB has no surprise), so those files are not scored; boredom has no RAVDESS counterpart.
 */
export const RAVDESS_TO_EMODB: Readonly<Record<string, EmodbClass | null>> = {
  neutral: 'neutral',
  calm: null,
  happy: 'happiness',
  sad: 'sadness',
  angry: 'anger',
  fearful: 'fear',
  disgust: 'disgust',
  surprised: null,
}

/** RAVDESS names are modality-channel-EMOTION-intensity-statement-repetition-actor.wav. */
export function ravdessItems(dir: string): CorpusItem[] {
  if (!existsSync(dir))
    throw new Error(`RAVDESS samples are missing at ${dir}: see ../shared/data/ravdess-samples/README.md`)
  return readdirSync(dir)
    .filter((f) => /^\d\d(-\d\d){6}\.wav$/.test(f))
    .sort()
    .map((f) => {
      const parts = f.slice(0, -4).split('-')
      const original = RAVDESS_EMOTIONS[Number(parts[2]) - 1] ?? 'unknown'
      const mapped = RAVDESS_TO_EMODB[original] ?? null
      return { file: join(dir, f), speaker: parts[6]!, label: mapped ? EMODB_CLASSES.indexOf(mapped) : -1, original }
    })
}

/**
 * The file as 16 kHz mono, trimmed to the span from the first to the last VAD speech segment — the same kind
 * of stretch the service hands the model. A file where VAD finds nothing is used whole.
 */
export async function speechSpan(file: string, vad: SileroVad): Promise<Float32Array> {
  const wav = readWavFile(file)
  const pcm = toMono16k(wav.channels, wav.sampleRate)
  const segments = await vad.speechSegments(pcm)
  if (segments.length === 0) return pcm
  const begin = Math.floor(segments[0]!.begin * 16_000)
  const end = Math.ceil(segments[segments.length - 1]!.end * 16_000)
  return pcm.subarray(begin, end)
}
