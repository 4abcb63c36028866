// Word boundaries from phone timings. flite reports when each phone ends, but not which word a
// phone belongs to; a second lexical pass gives each word's phones in isolation. Context can
// change a few phones (post-lexical rules, "Dr." read as "drive" alone), so the two sequences
// are aligned by edit distance rather than by counting.
import type { WordTiming } from './engine.js'

export interface TimedPhone {
  phone: string
  beginMs: number
  endMs: number
}

/** For each phone of `actual`, the index in `expected` it aligns to, or -1 for an insertion. */
export function alignPhones(actual: readonly string[], expected: readonly string[]): number[] {
  const n = actual.length
  const m = expected.length
  const w = m + 1
  const cost = new Uint32Array((n + 1) * w)
  for (let i = 0; i <= n; i++) cost[i * w] = i
  for (let j = 0; j <= m; j++) cost[j] = j
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const sub = cost[(i - 1) * w + j - 1]! + (actual[i - 1] === expected[j - 1] ? 0 : 1)
      const del = cost[(i - 1) * w + j]! + 1
      const ins = cost[i * w + j - 1]! + 1
      cost[i * w + j] = Math.min(sub, del, ins)
    }
  }
  const out = new Array<number>(n).fill(-1)
  let i = n
  let j = m
  while (i > 0 && j > 0) {
    const here = cost[i * w + j]!
    const diag = cost[(i - 1) * w + j - 1]! + (actual[i - 1] === expected[j - 1] ? 0 : 1)
    if (here === diag) {
      out[i - 1] = j - 1
      i--
      j--
    } else if (here === cost[(i - 1) * w + j]! + 1) i--
    else j--
  }
  return out
}

/**
 * Assigns timed phones (pauses already removed) to words whose isolated pronunciations are
 * `wordPhones[k]`. Words that got no phone are given a zero-length slot where they would be.
 */
export function wordTimings(
  words: readonly string[],
  wordPhones: readonly string[][],
  phones: readonly TimedPhone[],
): WordTiming[] {
  const expected: string[] = []
  const owner: number[] = []
  wordPhones.forEach((ps, k) => {
    for (const p of ps) {
      expected.push(p)
      owner.push(k)
    }
  })
  const aligned = alignPhones(
    phones.map((p) => p.phone),
    expected,
  )
  const spans = words.map(() => ({ begin: Infinity, end: -Infinity }))
  let current = 0
  aligned.forEach((j, i) => {
    if (j >= 0) current = owner[j]!
    const span = spans[current]
    const phone = phones[i]!
    if (span) {
      span.begin = Math.min(span.begin, phone.beginMs)
      span.end = Math.max(span.end, phone.endMs)
    }
  })
  let lastEnd = phones[0]?.beginMs ?? 0
  return words.map((text, k) => {
    const s = spans[k]!
    if (s.end < 0) return { text, beginMs: Math.round(lastEnd), endMs: Math.round(lastEnd) }
    lastEnd = s.end
    return { text, beginMs: Math.round(s.begin), endMs: Math.round(s.end) }
  })
}
