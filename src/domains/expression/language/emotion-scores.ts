import type { LanguageModel } from './language-model.js'
import { GOEMOTIONS_TO_HUME } from './emotion-map.js'

export interface EmotionScore {
  name: string
  score: number
}

/**
 * Turns GoEmotions probabilities into Hume's `emotions` list: only labels the
 * table maps, ordered by Hume name as Hume's own responses are.
 */
export function toHumeEmotions(model: LanguageModel, probs: ArrayLike<number>): EmotionScore[] {
  const out: EmotionScore[] = []
  model.labels.forEach((label, i) => {
    const name = GOEMOTIONS_TO_HUME[label]
    if (name) out.push({ name, score: probs[i] ?? 0 })
  })
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
