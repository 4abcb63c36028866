import { describe, expect, it } from 'vitest'
import { analyzeLanguage } from './analyze.js'
import { GOEMOTIONS_TO_HUME } from './emotion-map.js'
import { loadLanguageModel } from './model-path.js'

const model = loadLanguageModel()
const text = 'Thank you so much for the help! I am furious about the delay, though.'

describe('analyzeLanguage', () => {
  it('word granularity: one prediction per word with exact positions', () => {
    const preds = analyzeLanguage(model, text)
    expect(preds.map((p) => p.text)).toEqual(text.match(/[\w']+/g))
    for (const p of preds) expect(text.slice(p.position.begin, p.position.end)).toBe(p.text)
  })

  it('sentence and utterance granularity split sentences; conversational_turn is the passage', () => {
    const s = analyzeLanguage(model, text, 'sentence')
    expect(s.map((p) => p.text)).toEqual(['Thank you so much for the help!', 'I am furious about the delay, though.'])
    expect(analyzeLanguage(model, text, 'utterance')).toEqual(s)
    const whole = analyzeLanguage(model, text, 'conversational_turn')
    expect(whole).toHaveLength(1)
    expect(whole[0]!.position).toEqual({ begin: 0, end: text.length })
    const score = (p: (typeof s)[number], name: string) => p.emotions.find((e) => e.name === name)!.score
    expect(score(s[0]!, 'Gratitude')).toBeGreaterThan(score(s[1]!, 'Gratitude'))
    expect(score(s[1]!, 'Anger')).toBeGreaterThan(score(s[0]!, 'Anger'))
  })

  it('emits exactly the mapped Hume names, sorted, with scores in [0, 1]', () => {
    const [p] = analyzeLanguage(model, text, 'conversational_turn')
    const names = p!.emotions.map((e) => e.name)
    expect(names).toEqual([...new Set(Object.values(GOEMOTIONS_TO_HUME))].sort())
    for (const e of p!.emotions) expect(e.score).toBeGreaterThanOrEqual(0)
    for (const e of p!.emotions) expect(e.score).toBeLessThanOrEqual(1)
  })

  it('returns no predictions for blank text', () => {
    for (const g of ['word', 'sentence', 'conversational_turn'] as const)
      expect(analyzeLanguage(model, ' \n', g)).toEqual([])
  })
})
