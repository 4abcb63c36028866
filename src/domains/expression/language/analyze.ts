import type { LanguageModel } from './language-model.js'
import { toHumeEmotions, type EmotionScore } from './emotion-scores.js'
import { sentences, wordContexts } from './segments.js'

export type Granularity = 'word' | 'sentence' | 'utterance' | 'conversational_turn'

export interface LanguagePrediction {
  text: string
  position: { begin: number; end: number }
  emotions: EmotionScore[]
}

/**
 * Hume's language predictions for one text at a granularity. For text input
 * Hume documents utterance == sentence and conversational_turn == the whole
 * passage (there are no speakers), and word is the default.
 */
export function analyzeLanguage(
  model: LanguageModel,
  text: string,
  granularity: Granularity = 'word',
): LanguagePrediction[] {
  const predict = (t: string): EmotionScore[] => toHumeEmotions(model, model.predict(t))
  if (granularity === 'word') {
    return wordContexts(text).map(({ word, context }) => ({
      text: word.text,
      position: { begin: word.begin, end: word.end },
      emotions: predict(context),
    }))
  }
  if (granularity === 'sentence' || granularity === 'utterance') {
    return sentences(text).map((s) => ({
      text: s.text,
      position: { begin: s.begin, end: s.end },
      emotions: predict(s.text),
    }))
  }
  if (text.trim().length === 0) return []
  return [{ text, position: { begin: 0, end: text.length }, emotions: predict(text) }]
}
