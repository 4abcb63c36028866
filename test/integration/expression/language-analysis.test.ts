import { describe, expect, it } from 'vitest'
// The language analysis with the committed model: segmentation, positions and scores together.
import { codePointOffsets, predictText } from '../../../src/domains/expression/batch.predict.js'
import { analyzeLanguage } from '../../../src/domains/expression/language/analyze.js'
import { GOEMOTIONS_TO_HUME } from '../../../src/domains/expression/language/emotion-map.js'
import { loadLanguageModel } from '../../../src/domains/expression/language/model-path.js'

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

describe('positions', () => {
  it('are measured in characters (code points), as Hume counts them', async () => {
    const text = '😀😀 I love Paris'
    const at = codePointOffsets(text)
    expect(at(text.indexOf('love'))).toBe([...text].indexOf('l'))
    const out = predictText(loadLanguageModel(), text, { language: { granularity: 'word' }, ner: {} })
    const chars = [...text]
    for (const w of out.language!.grouped_predictions[0]!.predictions) {
      expect(chars.slice(w.position.begin, w.position.end).join('')).toBe(w.text)
    }
    const paris = out.ner!.grouped_predictions[0]!.predictions.find((e) => e.entity === 'Paris')!
    expect(chars.slice(paris.position.begin, paris.position.end).join('')).toBe('Paris')
  })
})
