/**
 * Turns one text file into Hume's per-file `models` predictions. Pure CPU
 * work, run inside the batch worker threads (see expression.tasks.ts).
 */
import { analyzeLanguage } from './language/analyze.js'
import type { ModelSelection } from './batch.selection.js'
import { toHumeEmotions } from './language/emotion-scores.js'
import type { LanguageModel } from './language/language-model.js'
import { sentences } from './language/segments.js'
import { extractEntities } from './ner/ner.js'
import type { InferencePrediction, LanguagePredictionWire, NerPredictionWire } from './batch.schemas.js'

type ModelsPredictions = InferencePrediction['models']

/** Hume groups by speaker; text has none, so everything is in one group with id "unknown". */
function group<T>(predictions: T[]) {
  return { metadata: null, grouped_predictions: predictions.length > 0 ? [{ id: 'unknown', predictions }] : [] }
}

/**
 * Maps JavaScript string indices (UTF-16 code units) to character (code point)
 * indices, the unit Hume's positions are measured in; identity for text
 * without astral characters such as emoji.
 */
export function codePointOffsets(text: string): (utf16: number) => number {
  if (!/[\uD800-\uDBFF]/.test(text)) return (i) => i
  const map = new Uint32Array(text.length + 1)
  let cp = 0
  for (let i = 0; i < text.length; i++) {
    map[i] = cp
    const c = text.charCodeAt(i)
    if (!(c >= 0xd800 && c <= 0xdbff && i + 1 < text.length)) cp++
  }
  map[text.length] = cp
  return (i) => map[i] ?? cp
}

export function predictText(model: LanguageModel, text: string, sel: ModelSelection): ModelsPredictions {
  const out: ModelsPredictions = {}
  const at = codePointOffsets(text)
  const position = (p: { begin: number; end: number }) => ({ begin: at(p.begin), end: at(p.end) })
  if (sel.language) {
    const preds: LanguagePredictionWire[] = analyzeLanguage(model, text, sel.language.granularity).map((p) => ({
      text: p.text,
      position: position(p.position),
      time: null,
      confidence: null,
      speaker_confidence: null,
      emotions: p.emotions,
      sentiment: null,
      toxicity: null,
    }))
    out.language = group(preds)
  }
  if (sel.ner) {
    const sents = sentences(text)
    const cache = new Map<number, ReturnType<typeof toHumeEmotions>>()
    // An entity's emotions are those of the sentence it occurs in, as Hume scores entity context.
    const emotionsAt = (begin: number) => {
      const i = Math.max(
        0,
        sents.findIndex((s) => s.begin <= begin && begin < s.end),
      )
      if (!cache.has(i)) cache.set(i, toHumeEmotions(model, model.predict(sents[i]?.text ?? text)))
      return cache.get(i)!
    }
    const preds: NerPredictionWire[] = extractEntities(text).map((e) => ({
      entity: e.entity,
      position: position(e),
      // Rule-based taggers give no probability; see the README.
      entity_confidence: 1,
      support: e.support,
      uri: '',
      link_word: e.link_word,
      time: null,
      confidence: null,
      speaker_confidence: null,
      emotions: emotionsAt(e.begin),
    }))
    out.ner = group(preds)
  }
  return out
}

/** How many predictions (words, sentences, entities...) a file's results hold: what the job budget counts. */
export function countSegments(models: ModelsPredictions): number {
  let n = 0
  for (const m of Object.values(models)) for (const g of m?.grouped_predictions ?? []) n += g.predictions.length
  return n
}
