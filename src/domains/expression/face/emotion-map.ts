/**
 * face-api expression label -> Hume face emotion name. The expression net
 * (a FER-2013-style 7-way softmax) is the only emotion source for faces, so this
 * table is the whole list of names the face model can report; a Hume name
 * without an entry is never emitted. Kept consistent with
 * `../language/emotion-map.ts`:
 * - angry -> Anger, disgusted -> Disgust, fearful -> Fear, sad -> Sadness:
 *   the same basic emotion under Hume's name.
 * - happy -> Joy: Hume's face model has no "Happiness"; Joy is its name for the
 *   smiling, happy expression (GoEmotions joy maps there too).
 * Left out:
 * - neutral: Hume has no neutral dimension (its scores are all low instead).
 * - surprised: Hume splits surprise into "Surprise (positive)" and
 *   "Surprise (negative)" and the net does not tell which; reporting either
 *   would be a guess.
 */
export const FACE_API_TO_HUME: Readonly<Record<string, string>> = Object.freeze({
  angry: 'Anger',
  disgusted: 'Disgust',
  fearful: 'Fear',
  happy: 'Joy',
  sad: 'Sadness',
})

/** The Hume names the face model reports, in the order it reports them (alphabetical, like the language model). */
export const FACE_EMOTIONS: readonly string[] = Object.freeze([...new Set(Object.values(FACE_API_TO_HUME))].sort())

export interface EmotionScore {
  name: string
  score: number
}

/**
 * Maps the net's probabilities (which sum to 1 over all 7 labels) to Hume
 * names. Scores are passed through unchanged, so the reported ones sum to at
 * most 1: the mass on neutral and surprised is simply not reported. Every name
 * in FACE_EMOTIONS is present exactly once (0 when the net gave no score), and
 * labels without an entry are dropped.
 */
export function toHumeEmotions(expressions: Readonly<Record<string, number>>): EmotionScore[] {
  const scores = new Map<string, number>(FACE_EMOTIONS.map((name) => [name, 0]))
  for (const [label, score] of Object.entries(expressions)) {
    // hasOwn: labels come from the net's output object, and "constructor" must not find Object's.
    const name = Object.hasOwn(FACE_API_TO_HUME, label) ? FACE_API_TO_HUME[label] : undefined
    if (name !== undefined && Number.isFinite(score)) scores.set(name, (scores.get(name) ?? 0) + score)
  }
  return FACE_EMOTIONS.map((name) => ({ name, score: scores.get(name) ?? 0 }))
}
