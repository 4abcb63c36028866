import { describe, expect, it } from 'vitest'
import { GOEMOTIONS_TO_HUME, HUME_LANGUAGE_EMOTIONS } from './emotion-map.js'
import { LanguageModel, dequantize, quantize } from './language-model.js'
import { bestThreshold, countLabels, macroF1 } from './metrics.js'
import { charGrams, featurize, tokenize } from './text-features.js'

describe('text features', () => {
  it('tokenizes with exact character offsets', () => {
    const text = "I can't believe it!! 🎉 Yes"
    for (const t of tokenize(text)) expect(text.slice(t.begin, t.end)).toBe(t.text)
    expect(tokenize(text).map((t) => t.text)).toEqual(['I', "can't", 'believe', 'it', '!', '!', '🎉', 'Yes'])
  })

  it('shares features between elongations and case variants', () => {
    expect(featurize('Soooo HAPPY')).toContain('u:soo')
    expect(featurize('so happy')).toContain('u:happy')
    expect(featurize('THIS IS GREAT')).toContain('s:allcaps')
  })

  it('adds word-boundary character n-grams shared by misspellings', () => {
    expect(charGrams('Happy!')).toEqual(expect.arrayContaining(['c:<ha', 'c:py>', 'c:<happ', 'c:appy>']))
    expect(charGrams('a !')).toEqual([])
    const shared = charGrams('hapy').filter((g) => charGrams('happy').includes(g))
    expect(shared).toEqual(expect.arrayContaining(['c:<ha', 'c:py>']))
  })
})

describe('quantisation', () => {
  it('round-trips within half a step per row', () => {
    const values = Float32Array.from([0.5, -1, 0.25, 0, 0, 0, 3, -3, 1.5])
    const back = dequantize(quantize(values, 3, 3))
    values.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.abs(values[i]!) / 127 + 3 / 254))
    expect([...back.slice(3, 6)]).toEqual([0, 0, 0])
  })
})

describe('metrics', () => {
  it('computes per-label F1 and macro-F1', () => {
    const probs = [
      [0.9, 0.1],
      [0.8, 0.7],
      [0.2, 0.6],
    ]
    const gold = [new Set([0]), new Set([1]), new Set([1])]
    const counts = countLabels(probs, gold, [0.5, 0.5])
    expect(counts[0]).toEqual({ tp: 1, fp: 1, fn: 0 })
    expect(counts[1]).toEqual({ tp: 2, fp: 0, fn: 0 })
    expect(macroF1(counts)).toBeCloseTo((2 / 3 + 1) / 2)
    expect(bestThreshold([0.9, 0.3, 0.1], [true, true, false]).f1).toBe(1)
  })
})

describe('emotion map', () => {
  it('maps only onto real Hume language emotion names, each at most once', () => {
    const targets = Object.values(GOEMOTIONS_TO_HUME)
    for (const name of targets) expect(HUME_LANGUAGE_EMOTIONS).toContain(name)
    expect(new Set(targets).size).toBe(targets.length)
    expect(HUME_LANGUAGE_EMOTIONS).toHaveLength(53)
  })
})

it('rejects a model file of another format', () => {
  expect(() => new LanguageModel({ format: 'x' } as never)).toThrow(/format/)
})
