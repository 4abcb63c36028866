import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GOEMOTIONS_TO_HUME, HUME_LANGUAGE_EMOTIONS } from './emotion-map.js'
import { LanguageModel, dequantize, quantize } from './language-model.js'
import { bestThreshold, countLabels, macroF1 } from './metrics.js'
import { charGrams, featurize, tokenize } from './text-features.js'
import { loadLanguageModel } from './model-path.js'

const DATA = resolve(import.meta.dirname, '../../../../../shared/data/goemotions')

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

describe('committed GoEmotions model', () => {
  const model = loadLanguageModel()

  it('is small and records honest metrics', () => {
    expect(model.file.features.length).toBeGreaterThan(1000)
    expect(model.file.charStart).toBeGreaterThan(1000)
    expect(model.file.features[model.file.charStart!]).toMatch(/^c:/)
    expect(model.labels).toHaveLength(28)
    expect(model.file.thresholds).toHaveLength(28)
    const m = model.file.metrics as { test_macro_f1_28: number }
    expect(m.test_macro_f1_28).toBeGreaterThan(0.3)
  })

  it('separates obvious emotions', () => {
    const score = (text: string, label: string) => model.predict(text)[model.labels.indexOf(label)]!
    expect(score('Thank you so much, I really appreciate it!', 'gratitude')).toBeGreaterThan(0.5)
    expect(score('Thank you so much, I really appreciate it!', 'anger')).toBeLessThan(0.2)
    expect(score('I am so scared and terrified of this', 'fear')).toBeGreaterThan(
      score('I am so scared and terrified of this', 'gratitude'),
    )
    expect(score('I love you so much', 'love')).toBeGreaterThan(score('I love you so much', 'sadness'))
  })

  // Re-measures the shipped weights on the test split so the model card cannot drift from them.
  it.runIf(existsSync(DATA))('reproduces the recorded test macro-F1', () => {
    const lines = readFileSync(resolve(DATA, 'original/test.tsv'), 'utf8').split('\n').filter(Boolean)
    const probs = lines.map((l) => model.predict(l.split('\t')[0] ?? ''))
    const gold = lines.map((l) => new Set((l.split('\t')[1] ?? '').split(',').map(Number)))
    const f = macroF1(countLabels(probs, gold, model.file.thresholds))
    expect(f).toBeCloseTo((model.file.metrics as { test_macro_f1_28: number }).test_macro_f1_28, 3)
  })
})

it('rejects a model file of another format', () => {
  expect(() => new LanguageModel({ format: 'x' } as never)).toThrow(/format/)
})
