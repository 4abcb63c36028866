/**
 * EmoDB class -> Hume emotion name. This is the only such table.
 *
 * EmoDB (Burkhardt et al., 2005) has seven acted categories. Six have a Hume prosody emotion of the same
 * meaning; happiness is reported as Joy because Hume has no "Happiness" and its Joy is the pleasant,
 * high-arousal state EmoDB's actors portrayed. Neutral is a real class the model must be able to choose
 * (otherwise every calm utterance is forced into an emotion), but Hume has no "Neutral" emotion, so its
 * probability is never reported. The other Hume names (Amusement, Awe, Calmness, ...) are left out: nothing
 * in EmoDB measures them, and inventing scores for them would be dishonest.
 */
export const EMODB_CLASSES = ['anger', 'boredom', 'disgust', 'fear', 'happiness', 'sadness', 'neutral'] as const
export type EmodbClass = (typeof EMODB_CLASSES)[number]

export const EMODB_TO_HUME: Readonly<Record<EmodbClass, string | null>> = {
  anger: 'Anger',
  boredom: 'Boredom',
  disgust: 'Disgust',
  fear: 'Fear',
  happiness: 'Joy',
  sadness: 'Sadness',
  neutral: null,
}

/** The Hume names the prosody model can emit, in EMODB_CLASSES order. */
export const PROSODY_HUME_EMOTIONS: readonly string[] = EMODB_CLASSES.flatMap((c) => EMODB_TO_HUME[c] ?? [])

/** EmoDB file-name emotion letters (German initials: W = Wut, L = Langeweile, E = Ekel, A = Angst, ...). */
export const EMODB_LETTERS: Readonly<Record<string, EmodbClass>> = {
  W: 'anger',
  L: 'boredom',
  E: 'disgust',
  A: 'fear',
  F: 'happiness',
  T: 'sadness',
  N: 'neutral',
}
