/**
 * Tokenisation and feature extraction shared by the training script and the
 * runtime classifier. Both sides MUST use this exact code: the committed
 * weights are indexed by the feature strings produced here.
 */

export interface Token {
  /** Surface text as it appears in the input. */
  text: string
  /** Zero-based character offset, inclusive. */
  begin: number
  /** Zero-based character offset, exclusive. */
  end: number
}

// Words (letters/digits with inner apostrophes) or single non-space symbols.
// Punctuation and emoji are kept as tokens because "!" and "?" carry a lot of
// the signal for excitement, curiosity and confusion in GoEmotions.
const TOKEN_RE = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu

export function tokenize(text: string): Token[] {
  const out: Token[] = []
  for (const m of text.matchAll(TOKEN_RE)) {
    const begin = m.index ?? 0
    out.push({ text: m[0], begin, end: begin + m[0].length })
  }
  return out
}

/** Tokens that count as words for word-level granularity (not punctuation). */
export function isWordToken(token: string): boolean {
  return /[\p{L}\p{N}]/u.test(token)
}

function normalizeToken(token: string): string {
  const lower = token.toLowerCase().replace(/’/g, "'")
  // Collapse numbers: the exact digits carry no emotion.
  if (/^\p{N}+$/u.test(lower)) return '<num>'
  // Squash elongations ("soooo" -> "soo") so they share a feature.
  return lower.replace(/(.)\1{2,}/gu, '$1$1')
}

/**
 * Feature strings for a text: unigrams, bigrams and a few shape cues.
 * GoEmotions masks names as "[NAME]"; the tokenizer splits that into
 * "[", "name", "]" which is harmless at inference on real names.
 */
export function featurize(text: string): string[] {
  const toks = tokenize(text).map((t) => normalizeToken(t.text))
  const feats = new Set<string>()
  let prev = '<s>'
  for (const t of toks) {
    feats.add(`u:${t}`)
    feats.add(`b:${prev} ${t}`)
    prev = t
  }
  if (toks.length > 0) feats.add(`b:${prev} </s>`)
  // Shouting is a strong anger/excitement cue in Reddit text.
  const letters = text.replace(/[^\p{L}]/gu, '')
  if (letters.length >= 4 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()) {
    feats.add('s:allcaps')
  }
  feats.add('s:bias-len' + Math.min(4, Math.floor(Math.log2(1 + toks.length))))
  return [...feats]
}

/**
 * Character 3- to 5-grams of every word of two or more characters, with "<"
 * and ">" marking the word boundaries ("<soo", "ppy>"). They let misspelt,
 * inflected and unseen Reddit words share weights with known ones.
 */
export function charGrams(text: string): string[] {
  const grams = new Set<string>()
  for (const t of tokenize(text)) {
    const w = `<${t.text
      .toLowerCase()
      .replace(/’/g, "'")
      .replace(/(.)\1{2,}/gu, '$1$1')}>`
    if (w.length < 4) continue
    for (let n = 3; n <= 5; n++) for (let i = 0; i + n <= w.length; i++) grams.add(`c:${w.slice(i, i + n)}`)
  }
  return [...grams]
}
