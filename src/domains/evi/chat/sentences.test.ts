import { describe, expect, it } from 'vitest'
import { MAX_SENTENCE_CHARS, SentenceSplitter } from './sentences.js'

function split(deltas: string[]): string[] {
  const s = new SentenceSplitter()
  return [...deltas.flatMap((d) => s.push(d)), ...s.flush()]
}

describe('SentenceSplitter', () => {
  it('emits each sentence once it is followed by a space', () => {
    const s = new SentenceSplitter()
    expect(s.push('Hello there')).toEqual([])
    expect(s.push('! How are')).toEqual(['Hello there!'])
    expect(s.push(' you? Fine.')).toEqual(['How are you?'])
    expect(s.flush()).toEqual(['Fine.'])
  })

  it('does not cut numbers, abbreviations or initials', () => {
    expect(split(['It costs 3.5 dollars, Dr. Smith said. J. R. R. Tolkien wrote it. ', 'Done'])).toEqual([
      'It costs 3.5 dollars, Dr. Smith said.',
      'J. R. R. Tolkien wrote it.',
      'Done',
    ])
  })

  it('keeps closing quotes with their sentence and cuts at new lines', () => {
    expect(split(['He said "go." Then\nleft'])).toEqual(['He said "go."', 'Then', 'left'])
  })

  it('cuts a sentence that never ends near its last comma', () => {
    const long = Array.from({ length: 40 }, (_, i) => `clause ${i},`).join(' ')
    const out = split([long])
    expect(out.length).toBeGreaterThan(1)
    for (const s of out) expect(s.length).toBeLessThanOrEqual(MAX_SENTENCE_CHARS)
    expect(out.join(' ')).toBe(long)
  })
})
