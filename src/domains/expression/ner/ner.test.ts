import { describe, expect, it } from 'vitest'
import { extractEntities } from './ner.js'

describe('extractEntities', () => {
  const text =
    'Barack Obama visited Paris and met Google executives in New York on Monday. Obama paid $5 million. Mail a@b.com.'
  const found = extractEntities(text)
  const by = (surface: string) => found.find((e) => e.entity === surface)

  it('finds people, places, organisations and other entities with exact positions', () => {
    for (const e of found) expect(text.slice(e.begin, e.end)).toBe(e.entity)
    expect(by('Barack Obama')?.kind).toBe('PERSON')
    expect(by('Paris')?.kind).toBe('PLACE')
    expect(by('New York')?.kind).toBe('PLACE')
    expect(by('Google')?.kind).toBe('ORGANIZATION')
    expect(by('Monday')?.kind).toBe('DATE')
    expect(by('a@b.com')?.kind).toBe('EMAIL')
  })

  it('never returns overlapping spans and counts mentions in support', () => {
    const sorted = [...found].sort((a, b) => a.begin - b.begin)
    sorted.slice(1).forEach((e, i) => expect(e.begin).toBeGreaterThanOrEqual(sorted[i]!.end))
    expect(by('Paris')?.support).toBe(1)
    expect(by('Paris')?.link_word).toBe('Paris')
  })

  it('returns nothing for empty or entity-free text', () => {
    expect(extractEntities('   ')).toEqual([])
    expect(extractEntities('i think so too')).toEqual([])
  })
})
