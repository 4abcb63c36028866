/**
 * Named entities from two maintained rule/lexicon-based libraries:
 * compromise finds people, places and organisations; wink-nlp's shipped
 * English model finds the other kinds (dates, times, money, percentages,
 * emails, URLs, hashtags, mentions...). Neither produces probabilities or
 * links to a knowledge base, so the Hume fields are filled as documented in
 * the README: entity_confidence 1, uri "" and link_word the canonical surface
 * form (whitespace collapsed, possessive dropped); support counts how often
 * that link_word is mentioned in the text.
 */
import nlp from 'compromise'
import type { ItemEntity } from 'wink-nlp'
import { parse } from '../language/wink.js'

export type EntityKind = 'PERSON' | 'PLACE' | 'ORGANIZATION' | string

export interface Entity {
  entity: string
  kind: EntityKind
  begin: number
  end: number
  link_word: string
  support: number
}

interface CompromiseMatch {
  text: string
  offset: { start: number; length: number }
}

// wink entity types that compromise already covers better, or that are noise for NER.
const WINK_SKIP = new Set(['CARDINAL', 'ORDINAL'])

function canonical(surface: string): string {
  return surface
    .replace(/\s+/g, ' ')
    .replace(/['’]s$/i, '')
    .replace(/[.,;:!?]+$/, '')
    .trim()
}

function fromCompromise(text: string): Omit<Entity, 'support' | 'link_word'>[] {
  const doc = nlp(text)
  const groups: [EntityKind, CompromiseMatch[]][] = [
    ['PERSON', doc.people().json({ offset: true }) as CompromiseMatch[]],
    ['PLACE', doc.places().json({ offset: true }) as CompromiseMatch[]],
    ['ORGANIZATION', doc.organizations().json({ offset: true }) as CompromiseMatch[]],
  ]
  return groups.flatMap(([kind, matches]) =>
    matches.map((m) => {
      const raw = text.slice(m.offset.start, m.offset.start + m.offset.length)
      const trimmed = canonicalSpan(raw)
      const begin = m.offset.start + raw.indexOf(trimmed)
      return { entity: trimmed, kind, begin, end: begin + trimmed.length }
    }),
  )
}

/** Trims surrounding punctuation/space compromise sometimes keeps ("Paris," -> "Paris"). */
function canonicalSpan(raw: string): string {
  return raw.replace(/^[\s"'“(]+/, '').replace(/[\s"'”),.;:!?]+$/, '')
}

function fromWink(text: string): Omit<Entity, 'support' | 'link_word'>[] {
  const { doc, its, starts, ends } = parse(text)
  const out: Omit<Entity, 'support' | 'link_word'>[] = []
  doc.entities().each((e: ItemEntity) => {
    const kind = e.out(its.type) as string
    if (WINK_SKIP.has(kind)) return
    const [a, b] = e.out(its.span) as unknown as [number, number]
    const begin = starts[a]
    const end = ends[b]
    if (begin === undefined || end === undefined || end <= begin) return
    out.push({ entity: text.slice(begin, end), kind, begin, end })
  })
  return out
}

export function extractEntities(text: string): Entity[] {
  if (text.trim().length === 0) return []
  const found = [...fromCompromise(text), ...fromWink(text)].filter((e) => e.end > e.begin)
  // Overlaps: keep the earliest, then longest, span (compromise wins ties: it is listed first).
  found.sort((x, y) => x.begin - y.begin || y.end - y.begin - (x.end - x.begin))
  const kept: Omit<Entity, 'support' | 'link_word'>[] = []
  for (const e of found) {
    const last = kept[kept.length - 1]
    if (last && e.begin < last.end) continue
    kept.push(e)
  }
  const withLink = kept.map((e) => ({ ...e, link_word: canonical(e.entity) }))
  const counts = new Map<string, number>()
  for (const e of withLink) counts.set(e.link_word.toLowerCase(), (counts.get(e.link_word.toLowerCase()) ?? 0) + 1)
  return withLink.map((e) => ({ ...e, support: counts.get(e.link_word.toLowerCase()) ?? 1 }))
}
