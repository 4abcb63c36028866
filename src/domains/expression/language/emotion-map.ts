/**
 * GoEmotions label -> Hume emotion name. This table is the single place the
 * mapping is decided; a GoEmotions label with no entry is trained (it helps the
 * other labels) but never reported, and a Hume name with no source label is
 * never emitted. We do not invent scores for names we cannot measure.
 *
 * Entries are exact names or close definitional matches from the GoEmotions
 * paper's label definitions (Demszky et al., 2020, table 1):
 * - curiosity ("a strong desire to know or learn something") -> Interest
 * - nervousness ("apprehension, worry, anxiety") -> Anxiety
 * - caring ("displaying kindness and concern for others") -> Sympathy
 * - remorse ("regret or guilty feeling") -> Guilt
 * Left out: approval, grief, optimism, neutral (no Hume counterpart), and
 * surprise, because Hume splits it into "Surprise (positive)" and
 * "Surprise (negative)" and GoEmotions does not tell us which.
 */
export const GOEMOTIONS_TO_HUME: Readonly<Record<string, string>> = Object.freeze({
  admiration: 'Admiration',
  amusement: 'Amusement',
  anger: 'Anger',
  annoyance: 'Annoyance',
  caring: 'Sympathy',
  confusion: 'Confusion',
  curiosity: 'Interest',
  desire: 'Desire',
  disappointment: 'Disappointment',
  disapproval: 'Disapproval',
  disgust: 'Disgust',
  embarrassment: 'Embarrassment',
  excitement: 'Excitement',
  fear: 'Fear',
  gratitude: 'Gratitude',
  joy: 'Joy',
  love: 'Love',
  nervousness: 'Anxiety',
  pride: 'Pride',
  realization: 'Realization',
  relief: 'Relief',
  remorse: 'Guilt',
  sadness: 'Sadness',
})

/**
 * The 53 emotion names Hume's language model reports (the 48 face/prosody
 * names plus Annoyance, Disapproval, Enthusiasm, Gratitude, Sarcasm). Used
 * only to check that the table above maps onto real Hume names.
 */
export const HUME_LANGUAGE_EMOTIONS: readonly string[] = Object.freeze([
  'Admiration',
  'Adoration',
  'Aesthetic Appreciation',
  'Amusement',
  'Anger',
  'Annoyance',
  'Anxiety',
  'Awe',
  'Awkwardness',
  'Boredom',
  'Calmness',
  'Concentration',
  'Confusion',
  'Contemplation',
  'Contempt',
  'Contentment',
  'Craving',
  'Desire',
  'Determination',
  'Disappointment',
  'Disapproval',
  'Disgust',
  'Distress',
  'Doubt',
  'Ecstasy',
  'Embarrassment',
  'Empathic Pain',
  'Enthusiasm',
  'Entrancement',
  'Envy',
  'Excitement',
  'Fear',
  'Gratitude',
  'Guilt',
  'Horror',
  'Interest',
  'Joy',
  'Love',
  'Nostalgia',
  'Pain',
  'Pride',
  'Realization',
  'Relief',
  'Romance',
  'Sadness',
  'Sarcasm',
  'Satisfaction',
  'Shame',
  'Surprise (negative)',
  'Surprise (positive)',
  'Sympathy',
  'Tiredness',
  'Triumph',
])
