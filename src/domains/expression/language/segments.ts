import nlp from 'compromise'
import { isWordToken, tokenize, type Token } from './text-features.js'

export interface Segment {
  text: string
  begin: number
  end: number
}

interface CompromiseOffset {
  text: string
  offset: { start: number; length: number }
}

/** Sentences with character offsets, via compromise's sentence splitter. */
export function sentences(text: string): Segment[] {
  const out: Segment[] = []
  const parts = nlp(text).sentences().json({ offset: true }) as CompromiseOffset[]
  for (const p of parts) {
    // compromise reports trimmed text; trust its offsets but clamp to the input.
    const begin = Math.max(0, Math.min(text.length, p.offset.start))
    const end = Math.max(begin, Math.min(text.length, p.offset.start + p.offset.length))
    const slice = text.slice(begin, end).trim()
    if (slice.length === 0) continue
    const lead = text.slice(begin, end).indexOf(slice)
    out.push({ text: slice, begin: begin + lead, end: begin + lead + slice.length })
  }
  if (out.length === 0 && text.trim().length > 0) {
    const trimmed = text.trim()
    const begin = text.indexOf(trimmed)
    out.push({ text: trimmed, begin, end: begin + trimmed.length })
  }
  return out
}

/** Word tokens (no punctuation) with offsets. */
export function words(text: string): Token[] {
  return tokenize(text).filter((t) => isWordToken(t.text))
}

/**
 * The text the model sees for one word: the word with up to `radius` words on
 * either side, within its sentence. A bag-of-n-grams model has no other way to
 * give a word context, and a lone word is too little evidence.
 */
export function wordContexts(text: string, radius = 3): { word: Token; context: string }[] {
  const out: { word: Token; context: string }[] = []
  for (const s of sentences(text)) {
    const toks = tokenize(s.text)
    toks.forEach((t, i) => {
      if (!isWordToken(t.text)) return
      const from = toks[Math.max(0, i - radius)]!
      const to = toks[Math.min(toks.length - 1, i + radius)]!
      out.push({
        word: { text: t.text, begin: s.begin + t.begin, end: s.begin + t.end },
        context: s.text.slice(from.begin, to.end),
      })
    })
  }
  return out
}
