/**
 * Turns one text file into Hume's per-file `models` predictions. Pure CPU
 * work, run inside inference worker threads (see inference-pool.ts).
 */
import { analyzeLanguage, type Granularity } from './language/analyze.js'
import { toHumeEmotions } from './language/emotion-scores.js'
import type { LanguageModel } from './language/language-model.js'
import { sentences } from './language/segments.js'
import { extractEntities } from './ner/ner.js'
import type { InferencePrediction, LanguagePredictionWire, NerPredictionWire } from './batch.schemas.js'

/** Which of this server's models a job runs, resolved from the request's `models`. */
export interface ModelSelection {
  language?: { granularity: Granularity }
  ner?: Record<string, never>
}

type ModelsPredictions = InferencePrediction['models']

/** Hume groups by speaker; text has none, so everything is in one group with id "unknown". */
function group<T>(predictions: T[]) {
  return { metadata: null, grouped_predictions: predictions.length > 0 ? [{ id: 'unknown', predictions }] : [] }
}

export function predictText(model: LanguageModel, text: string, sel: ModelSelection): ModelsPredictions {
  const out: ModelsPredictions = {}
  if (sel.language) {
    const preds: LanguagePredictionWire[] = analyzeLanguage(model, text, sel.language.granularity).map((p) => ({
      text: p.text,
      position: p.position,
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
      position: { begin: e.begin, end: e.end },
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
