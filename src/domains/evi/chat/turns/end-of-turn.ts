/**
 * The early end of turn: after a short pause (TurnEvent `pause`), is the user done? Two cues must
 * agree, because a wrong "yes" makes the assistant talk over the user while a wrong "no" only waits
 * for end_of_turn_silence_ms as before:
 *
 * - the words: the transcript ends like a finished utterance (terminal punctuation when the
 *   recogniser gives any, and never on a conjunction, article, preposition or filler: "… and",
 *   "… to the", "um");
 * - the voice: the last voiced stretch ends low in the speaker's own pitch range or falling (the
 *   declarative "final lowering"), and its loudness fades before the silence instead of stopping
 *   abruptly (a word cut off, or held while the speaker thinks). A question (the transcript ends with
 *   "?") may end rising, so for it only the fade is asked for.
 *
 * F0 is the project's YIN tracker (prosody/pitch.ts) over the last ANALYSIS_MS of the turn only, which
 * keeps the cost at a few milliseconds whatever the turn's length.
 */
import { HOP, SAMPLE_RATE, trackPitch } from '../../../expression/prosody/pitch.js'

/** Audio analysed: the reference pitch range and the ending, from the end of the turn. */
export const ANALYSIS_MS = 2_000
/** The ending: voiced frames within this much of the last voiced frame. */
const TAIL_MS = 250
/** Fewer voiced frames than this in the analysed audio: too little voice to judge (→ not final). */
const MIN_VOICED_FRAMES = 10
/** Ends "low": at most this far above the speaker's 35th pitch percentile in the turn (semitones). */
const LOW_MARGIN_ST = 0.5
/** Or falls by at least this much across the ending (semitones). */
const FALL_ST = 1.5
/** The last 40 ms of sound must be this much quieter than the turn's median voiced level (dB). On the RAVDESS
 * statements, natural endings measure −10 to −17 dB and words cut off −7 dB at most. */
const FADE_DB = 8
/** Frames quieter than this fraction of the loudest are silence (−26 dB), with an absolute floor. */
const SOUND_FRACTION = 0.05
const SILENCE_FLOOR = 3e-4

export function endOfTurnLikely(audio16k: Float32Array, transcriptText: string): boolean {
  if (!transcriptLooksComplete(transcriptText)) return false
  const ending = prosodicEnding(audio16k)
  if (!ending) return false
  return transcriptText.trim().endsWith('?') ? ending.fades : ending.fades && ending.low
}

// English closed-class words a finished utterance does not end on. Pronouns and auxiliaries are left
// out: "it is", "I think so", "that's you" end complete thoughts.
const CONJUNCTIONS = ['and', 'or', 'but', 'so', 'because', 'cause', 'if', 'that', 'which', 'who', 'whose', 'whom']
const MORE_CONJUNCTIONS = ['when', 'while', 'although', 'though', 'unless', 'until', 'than', 'whether', 'since', 'nor']
const ARTICLES = [
  'a',
  'an',
  'the',
  'my',
  'your',
  'his',
  'her',
  'our',
  'their',
  'its',
  'this',
  'these',
  'those',
  'every',
]
const PREPOSITIONS = [
  ...['to', 'of', 'in', 'on', 'at', 'by', 'for', 'with', 'from', 'into', 'onto', 'about', 'over', 'under'],
  ...['between', 'through', 'during', 'before', 'after', 'around', 'without', 'within', 'towards', 'toward'],
  ...['across', 'against', 'among', 'upon', 'via', 'per'],
]
const FILLERS = ['um', 'uh', 'umm', 'uhm', 'er', 'erm', 'ah', 'eh', 'hmm', 'mm', 'like', 'basically', 'actually']
const OPEN_ENDINGS = new Set([...CONJUNCTIONS, ...MORE_CONJUNCTIONS, ...ARTICLES, ...PREPOSITIONS, ...FILLERS])

/** Whether the words read like a finished utterance (English word lists; punctuation for any language). */
export function transcriptLooksComplete(text: string): boolean {
  const t = text.trim().replace(/["'”’»)\]]+$/u, '')
  if (t.length === 0) return false
  // A trailing comma, dash or ellipsis is the recogniser hearing the speaker hold the floor.
  if (/(,|;|:|-|–|—|\.\.\.|…)$/u.test(t)) return false
  const words = t.toLowerCase().match(/[\p{L}\p{N}']+/gu)
  const last = words?.at(-1)
  if (!last) return false
  // A recogniser that punctuates has judged the sentence finished ("I think so."); only a filler overrides it.
  if (/[.!?]$/u.test(t)) return !FILLERS.includes(last)
  if (OPEN_ENDINGS.has(last)) return false
  // "you know", "I mean", "sort of", "kind of": fillers of two words.
  const lastTwo = words!.slice(-2).join(' ')
  if (['you know', 'i mean', 'sort of', 'kind of'].includes(lastTwo)) return false
  return true
}

export interface ProsodicEnding {
  /** The ending is low in the speaker's range or falling. */
  low: boolean
  /** The voice fades out rather than stopping abruptly. */
  fades: boolean
  /** Pitch of the ending relative to the turn's median (semitones), for logs and tuning. */
  finalSt: number
}

/** The pitch and loudness of how the audio ends, or undefined when there is too little voice to judge. */
export function prosodicEnding(audio16k: Float32Array): ProsodicEnding | undefined {
  const x = audio16k.subarray(Math.max(0, audio16k.length - (ANALYSIS_MS * SAMPLE_RATE) / 1000))
  const frames = Math.floor(x.length / HOP)
  if (frames < MIN_VOICED_FRAMES) return undefined
  // Level per 10 ms hop without overlap, so the end of sound is placed to within one hop.
  const level = new Float64Array(frames)
  let peak = 0
  for (let f = 0; f < frames; f++) {
    let sum = 0
    for (let i = f * HOP; i < (f + 1) * HOP; i++) sum += x[i]! * x[i]!
    level[f] = Math.sqrt(sum / HOP)
    if (level[f]! > peak) peak = level[f]!
  }
  const floor = Math.max(SILENCE_FLOOR, peak * SOUND_FRACTION)
  const active = new Uint8Array(frames)
  for (let f = 0; f < frames; f++) active[f] = level[f]! > floor ? 1 : 0
  const { f0 } = trackPitch(x, frames, active)
  const voiced: number[] = []
  for (let f = 0; f < frames; f++) if (f0[f]! > 0) voiced.push(f)
  if (voiced.length < MIN_VOICED_FRAMES) return undefined

  const reference = median(voiced.map((f) => f0[f]!))
  // Semitones from the speaker's median, folded by an octave where YIN jumped one (creak, doubling).
  const st = voiced.map((f) => {
    const v = 12 * Math.log2(f0[f]! / reference)
    return v > 8 ? v - 12 : v < -8 ? v + 12 : v
  })
  const lastVoiced = voiced.at(-1)!
  const tail = st.filter((_, i) => voiced[i]! > lastVoiced - TAIL_MS / 10)
  const finalSt = median(tail.slice(-5))
  const low = finalSt <= quantile(st, 0.35) + LOW_MARGIN_ST || finalSt - median(tail.slice(0, 5)) <= -FALL_ST

  let end = frames - 1
  while (end > 0 && level[end]! <= floor) end--
  const lastSound = db((level[end]! + level[end - 1]! + level[end - 2]! + level[end - 3]!) / 4)
  const fades = lastSound <= median(voiced.map((f) => db(level[f]!))) - FADE_DB
  return { low, fades, finalSt }
}

const db = (v: number) => 20 * Math.log10(v + 1e-9)

function median(v: number[]): number {
  return quantile(v, 0.5)
}

function quantile(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? 0
}
