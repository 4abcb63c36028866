// Text -> IPA (espeak-ng via the `phonemizer` npm package) -> Kokoro token ids.

// Imported on first use only: phonemizer's Emscripten bundle installs process-wide
// uncaughtException/unhandledRejection handlers when loaded, which a server on the flite engine
// must not inherit just by importing this module.
let phonemizer: Promise<typeof import('phonemizer')> | undefined
const loadPhonemizer = () => (phonemizer ??= import('phonemizer'))

// Kokoro-82M's vocabulary (config.json "vocab"): [characters, first id] runs, id 0 is the pad.
// Written as runs of consecutive ids to keep the table checkable at a glance.
const VOCAB_RUNS: ReadonlyArray<[string, number]> = [
  [';:,.!?', 1], ['—…"()“”', 9], [' ', 16], ['\u0303ʣʥʦʨᵝꭧAI', 17], ['O', 31], ['Q', 33], ['ST', 35], ['W', 39],
  ['Yᵊabcdef', 41], ['hijklmnopqrstuvwxyzɑɐɒæ', 50], ['βɔɕç', 75], ['ɖðʤə', 80], ['ɚɛɜ', 85], ['ɟ', 90], ['ɡ', 92],
  ['ɥ', 99], ['ɨɪʝ', 101], ['ɯɰŋɳɲɴø', 110], ['ɸθœ', 118], ['ɹ', 123], ['ɾɻ', 125], ['ʁɽʂʃʈʧ', 128], ['ʊʋ', 135],
  ['ʌɣɤ', 138], ['χʎ', 142], ['ʒʔ', 147], ['ˈˌː', 156], ['ʰ', 162], ['ʲ', 164], ['↓', 169], ['→↗↘', 171], ['ᵻ', 177],
]

export const KOKORO_VOCAB: ReadonlyMap<string, number> = new Map(
  VOCAB_RUNS.flatMap(([chars, first]) => [...chars].map((c, i): [string, number] => [c, first + i])),
)

/** The model's context: 512 positions, two of them the pads around the phonemes. */
export const MAX_PHONEME_TOKENS = 510

const PUNCTUATION = /(\s*[;:,.!?¡¿—…"«»“”(){}[\]]+\s*)+/g

/**
 * Phonemizes English text the way kokoro-js does: punctuation runs are kept verbatim (the model
 * has tokens for them and pauses on them), the words between go through espeak-ng.
 */
export async function toPhonemes(text: string, language: 'en-us' | 'en' = 'en-us'): Promise<string> {
  const parts: { text: string; punct: boolean }[] = []
  let last = 0
  for (const m of text.matchAll(PUNCTUATION)) {
    const at = m.index ?? 0
    if (at > last) parts.push({ text: text.slice(last, at), punct: false })
    parts.push({ text: m[0], punct: true })
    last = at + m[0].length
  }
  if (last < text.length) parts.push({ text: text.slice(last), punct: false })
  const { phonemize } = await loadPhonemizer()
  const out = await Promise.all(parts.map(async (p) => (p.punct ? p.text : (await phonemize(p.text, language)).join(' '))))
  return (
    out
      .join('')
      // espeak symbols Kokoro's training data spelled differently.
      .replace(/ʲ/g, 'j')
      .replace(/r/g, 'ɹ')
      .replace(/x/g, 'k')
      .replace(/ɬ/g, 'l')
      .trim()
  )
}

/** Token ids for phonemes (unknown characters are dropped, as the reference tokenizer does). */
export function tokenize(phonemes: string): number[] {
  const ids: number[] = []
  for (const ch of phonemes) {
    const id = KOKORO_VOCAB.get(ch)
    if (id !== undefined) ids.push(id)
  }
  return ids.slice(0, MAX_PHONEME_TOKENS)
}
