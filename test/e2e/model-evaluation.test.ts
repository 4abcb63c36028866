// Model evaluation: the committed language model's weights, re-measured on held-out data so the
// model card cannot drift from them. Reads ~5 MB of weights and scores 5,427 texts: an end-to-end
// check, not a unit test.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LanguageModel } from '../../src/domains/expression/language/language-model.js'
import { countLabels, macroF1 } from '../../src/domains/expression/language/metrics.js'
import { LANGUAGE_MODEL_PATH } from '../../src/domains/expression/language/model-path.js'

const DATA = resolve(import.meta.dirname, '../../../shared/data/goemotions')

describe('committed GoEmotions model', () => {
  const model = LanguageModel.fromPath(LANGUAGE_MODEL_PATH)

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
  it('reproduces the recorded test macro-F1', () => {
    if (!existsSync(DATA))
      throw new Error(
        `GoEmotions is missing at ${DATA}: put the dataset there (see ../shared/data/goemotions/README.md)`,
      )
    const lines = readFileSync(resolve(DATA, 'original/test.tsv'), 'utf8').split('\n').filter(Boolean)
    const probs = lines.map((l) => model.predict(l.split('\t')[0] ?? ''))
    const gold = lines.map((l) => new Set((l.split('\t')[1] ?? '').split(',').map(Number)))
    const f = macroF1(countLabels(probs, gold, model.file.thresholds))
    expect(f).toBeCloseTo((model.file.metrics as { test_macro_f1_28: number }).test_macro_f1_28, 3)
  })
})
