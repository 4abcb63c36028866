/**
 * A transcript as text the language models read, with the way back from a character range to
 * the time its words were spoken: language and NER predictions on audio carry `time`.
 */
import type { Transcript, TranscriptWord } from '../../../shared/asr/asr.js'

export interface TimedText {
  text: string
  /** Each word's code-point range in `text` (the unit Hume's positions use). */
  spans: { begin: number; end: number; word: TranscriptWord }[]
}

export function timedText(words: readonly TranscriptWord[]): TimedText {
  let text = ''
  let cp = 0
  const spans: TimedText['spans'] = []
  for (const word of words) {
    const w = word.text.trim()
    if (!w) continue
    if (text) {
      text += ' '
      cp += 1
    }
    const len = [...w].length
    spans.push({ begin: cp, end: cp + len, word })
    text += w
    cp += len
  }
  return { text, spans }
}

/** The words a code-point range overlaps. */
export function wordsIn(t: TimedText, begin: number, end: number): TranscriptWord[] {
  return t.spans.filter((s) => s.begin < Math.max(end, begin + 1) && s.end > begin).map((s) => s.word)
}

/** The time from the first to the last word of a range; null when the range holds no word. */
export function timeOf(words: readonly TranscriptWord[]): { begin: number; end: number } | null {
  if (words.length === 0) return null
  return { begin: round3(words[0]!.begin), end: round3(words[words.length - 1]!.end) }
}

/** Mean word confidence, or null when the provider gives none. */
export function confidenceOf(words: readonly TranscriptWord[]): number | null {
  const known = words.map((w) => w.confidence).filter((c): c is number => c !== null)
  if (known.length === 0) return null
  return round3(known.reduce((a, b) => a + b, 0) / known.length)
}

/** Words within a time range (by their midpoint). */
export function wordsBetween(words: readonly TranscriptWord[], begin: number, end: number): TranscriptWord[] {
  return words.filter((w) => {
    const mid = (w.begin + w.end) / 2
    return mid >= begin && mid < end
  })
}

/** The transcript's confidence: the provider's own, else the mean of its words', else null. */
export function transcriptConfidence(t: Transcript): number | null {
  return t.confidence ?? confidenceOf(t.words)
}

export const round3 = (x: number) => Math.round(x * 1000) / 1000
