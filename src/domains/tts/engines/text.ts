// Text segmentation shared by the engines (streaming chunks) and the TTS service (snippets).

const SENTENCE_END = /[.!?…]+["'”’)\]]*(?=\s|$)/g
const CLAUSE_END = /[,;:—]+["'”’)\]]*(?=\s|$)/g

// A period after these (or after a single initial) does not end a sentence: "Dr. Smith", "J. Doe".
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'st',
  'sr',
  'jr',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'mt',
  'no',
  'inc',
  'ltd',
  'co',
])

/** Whether the full stop at `dotIndex` closes an abbreviation or an initial rather than a sentence. */
export function isAbbreviation(text: string, dotIndex: number): boolean {
  const word = /([\p{L}.]+)$/u.exec(text.slice(0, dotIndex))?.[1]?.toLowerCase()
  return word !== undefined && (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word))
}

function splitAfter(text: string, pattern: RegExp): string[] {
  const parts: string[] = []
  let start = 0
  for (const m of text.matchAll(pattern)) {
    if (m[0] === '.' && isAbbreviation(text, m.index ?? 0)) continue
    const end = (m.index ?? 0) + m[0].length
    parts.push(text.slice(start, end))
    start = end
  }
  parts.push(text.slice(start))
  return parts.map((p) => p.trim()).filter((p) => p.length > 0)
}

/** Sentences, used for `split_utterances: true` snippets. Never returns an empty list for non-blank text. */
export function splitSentences(text: string): string[] {
  return splitAfter(text, SENTENCE_END)
}

/** Breaks an over-long run of words at the last space before `max` characters. */
function splitLong(text: string, max: number): string[] {
  const out: string[] = []
  let rest = text
  while (rest.length > max) {
    let cut = rest.lastIndexOf(' ', max)
    if (cut <= 0) cut = max
    out.push(rest.slice(0, cut).trim())
    rest = rest.slice(cut).trim()
  }
  if (rest) out.push(rest)
  return out
}

/**
 * Synthesis chunks: clauses, because the first audio byte waits for the first chunk and flite
 * pauses at clause punctuation anyway. Fragments shorter than `minChars` are merged forward
 * (a one-word chunk sounds clipped); anything longer than `maxChars` is broken at a space.
 */
export function splitChunks(text: string, minChars = 12, maxChars = 180): string[] {
  const clauses = splitSentences(text).flatMap((s) => splitAfter(s, CLAUSE_END))
  const merged: string[] = []
  let pending = ''
  for (const c of clauses) {
    pending = pending ? `${pending} ${c}` : c
    if (pending.length >= minChars) {
      merged.push(pending)
      pending = ''
    }
  }
  if (pending) {
    const last = merged.pop()
    merged.push(last !== undefined && last.length + pending.length < maxChars ? `${last} ${pending}` : pending)
  }
  return merged.flatMap((c) => splitLong(c, maxChars))
}

/** Whitespace-separated tokens with edge punctuation removed; punctuation-only tokens are dropped. */
export function wordTokens(text: string): string[] {
  return text
    .split(/\s+/)
    .map((t) => t.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((t) => t.length > 0)
}

/**
 * The first `words` words of a chunk and the rest, when the rest still has at least as many
 * words (a lone trailing word would sound clipped); otherwise undefined.
 */
export function splitHead(chunk: string, words = 4): [string, string] | undefined {
  const tokens = chunk.split(/\s+/).filter(Boolean)
  if (tokens.length < words * 2) return undefined
  return [tokens.slice(0, words).join(' '), tokens.slice(words).join(' ')]
}
