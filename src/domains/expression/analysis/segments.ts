/**
 * The stretches of audio prosody is measured over, one function per granularity. Times are
 * seconds. Speech regions come from the VAD; words and their times from the transcript.
 */
import type { TranscriptWord } from '../../../shared/asr/asr.js'

export interface Span {
  begin: number
  end: number
}

/**
 * Without speaker diarisation a "change of speaker" cannot be seen; a conversational turn is
 * therefore speech uninterrupted by a pause of at least this long (README: "Expression
 * Measurement on audio").
 */
export const TURN_PAUSE_S = 2

/**
 * An unpunctuated transcript (pocketsphinx) has no sentence marks; a pause this long between
 * words ends a sentence there.
 */
export const SENTENCE_PAUSE_S = 0.6

/** Speech regions separated by less than `pause` seconds, joined. */
export function joinClose(spans: readonly Span[], pause: number): Span[] {
  const out: Span[] = []
  for (const s of spans) {
    const last = out[out.length - 1]
    if (last && s.begin - last.end < pause) last.end = Math.max(last.end, s.end)
    else out.push({ begin: s.begin, end: s.end })
  }
  return out
}

/** Sliding windows over the whole audio; audio shorter than one window is one window. */
export function windows(duration: number, length: number, step: number, max: number): Span[] {
  if (duration <= 0) return []
  if (duration <= length) return [{ begin: 0, end: duration }]
  const out: Span[] = []
  for (let t = 0; t < duration && out.length < max; t += step) {
    out.push({ begin: t, end: Math.min(t + length, duration) })
    if (t + length >= duration) break
  }
  return out
}

/** Words grouped into sentences: at sentence punctuation, or at a long pause when there is none. */
export function sentenceGroups(words: readonly TranscriptWord[]): TranscriptWord[][] {
  const punctuated = words.some((w) => /[.!?]["')\]]*$/.test(w.text))
  const out: TranscriptWord[][] = []
  let current: TranscriptWord[] = []
  for (const [i, w] of words.entries()) {
    current.push(w)
    const next = words[i + 1]
    const ends = punctuated
      ? /[.!?]["')\]]*$/.test(w.text)
      : next !== undefined && next.begin - w.end >= SENTENCE_PAUSE_S
    if (ends || !next) {
      out.push(current)
      current = []
    }
  }
  return out
}
