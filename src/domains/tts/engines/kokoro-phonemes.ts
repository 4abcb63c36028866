// Text -> IPA (espeak-ng via the `phonemizer` npm package) -> Kokoro token ids.

// Imported on first use only, and its side effect undone: phonemizer's Emscripten bundle installs
// process-wide uncaughtException/unhandledRejection handlers that rethrow, which would turn any
// stray rejection into a crash with exit code 7 and bypass the server's own handling.
let phonemizer: Promise<typeof import('phonemizer')> | undefined

function loadPhonemizer(): Promise<typeof import('phonemizer')> {
  phonemizer ??= (async () => {
    const exceptions = process.listeners('uncaughtException')
    const rejections = process.listeners('unhandledRejection')
    try {
      return await import('phonemizer')
    } finally {
      for (const l of process.listeners('uncaughtException'))
        if (!exceptions.includes(l)) process.removeListener('uncaughtException', l)
      for (const l of process.listeners('unhandledRejection'))
        if (!rejections.includes(l)) process.removeListener('unhandledRejection', l)
    }
  })()
  return phonemizer
}

// Kokoro-82M's vocabulary (config.json "vocab"): [characters, first id] runs, id 0 is the pad.
// Written as runs of consecutive ids to keep the table checkable at a glance.
const VOCAB_RUNS: ReadonlyArray<[string, number]> = [
  [';:,.!?', 1],
  ['—…"()“”', 9],
  [' ', 16],
  ['\u0303ʣʥʦʨᵝꭧAI', 17],
  ['O', 31],
  ['Q', 33],
  ['ST', 35],
  ['W', 39],
  ['Yᵊabcdef', 41],
  ['hijklmnopqrstuvwxyzɑɐɒæ', 50],
  ['βɔɕç', 75],
  ['ɖðʤə', 80],
  ['ɚɛɜ', 85],
  ['ɟ', 90],
  ['ɡ', 92],
  ['ɥ', 99],
  ['ɨɪʝ', 101],
  ['ɯɰŋɳɲɴø', 110],
  ['ɸθœ', 118],
  ['ɹ', 123],
  ['ɾɻ', 125],
  ['ʁɽʂʃʈʧ', 128],
  ['ʊʋ', 135],
  ['ʌɣɤ', 138],
  ['χʎ', 142],
  ['ʒʔ', 147],
  ['ˈˌː', 156],
  ['ʰ', 162],
  ['ʲ', 164],
  ['↓', 169],
  ['→↗↘', 171],
  ['ᵻ', 177],
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
  const out = await Promise.all(
    parts.map(async (p) => (p.punct ? p.text : (await phonemize(p.text, language)).join(' '))),
  )
  const ipa = out
    .join('')
    // espeak symbols Kokoro's training data spelled differently.
    .replace(/ʲ/g, 'j')
    .replace(/r/g, 'ɹ')
    .replace(/x/g, 'k')
    .replace(/ɬ/g, 'l')
    // kokoro-js's remaining fixes: "...hundred" spacing, a detached plural "z", "ninety".
    .replace(/(?<=[a-zɹː])(?=hˈʌndɹɪd)/g, ' ')
    .replace(/ z(?=[;:,.!?¡¿—…"«»“” ]|$)/g, 'z')
    .trim()
  return language === 'en-us' ? ipa.replace(/(?<=nˈaɪn)ti(?!ː)/g, 'di') : ipa
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
