// Voice design: a documented, deterministic mapping from a natural-language description to a
// VoiceSpec. designVoice(description, seed) always returns the same spec for the same inputs;
// the service draws a fresh seed per generation so unvoiced requests get a new voice each time.
//
// Mapping (first match per category wins; words are matched on word boundaries):
// - gender: woman/female/feminine/girl/lady/... -> f, man/male/masculine/boy/guy/... -> m;
//   otherwise the seed picks. f -> flite slt; m -> rms/kal (awb for Scottish/British), by seed.
// - accent: British/English/London -> Kokoro b*, Scottish/Scots -> b* and flite awb,
//   American -> a*, Spanish/Mexican -> e*, French -> f*, Indian/Hindi -> h*, Italian -> i*,
//   Japanese -> j*, Brazilian/Portuguese -> p*, Chinese/Mandarin -> z*; default American.
//   The Kokoro blend is two style vectors of that language+gender, chosen and weighted by seed.
// - age: child/young/teen -> +2 st, +5% rate; old/elderly/aged -> -2 st, -8% rate.
// - pitch, pace, energy, timbre and emotion words add the deltas in CUES below.
// - the seed adds a variation of up to +-1.5 st, +-5% rate and +-10% energy.
import { clamp, type FliteVoice, type StyleWeight, type VoiceSpec } from './engines/engine.js'
import { KOKORO_VOICE_IDS } from './engines/kokoro-voices.js'

interface Delta {
  pitch?: number
  rate?: number
  energy?: number
}

/** Prosody cues: pitch in semitones, rate and energy as fractional changes. */
export const CUES: ReadonlyArray<[RegExp, Delta]> = [
  // pitch / timbre
  [/\b(deep|low|bass|baritone|gravelly|husky|booming|resonant)\b/, { pitch: -3 }],
  [/\b(high|high-pitched|squeaky|soprano|piping|light)\b/, { pitch: 3 }],
  [/\b(warm|rich|smooth|velvety|mellow)\b/, { pitch: -1, energy: -0.05 }],
  [/\b(bright|crisp|clear|sharp|nasal)\b/, { pitch: 1, energy: 0.05 }],
  [/\b(breathy|raspy|hoarse)\b/, { energy: -0.1 }],
  // pace
  [/\b(slow|slowly|measured|deliberate|drawl|drawling|unhurried|leisurely)\b/, { rate: -0.15 }],
  [/\b(fast|quick|quickly|rapid|rapidly|hurried|brisk)\b/, { rate: 0.15 }],
  // energy
  [/\b(energetic|enthusiastic|lively|animated|loud|passionate|dynamic)\b/, { energy: 0.3, rate: 0.05 }],
  [/\b(soft|softly|gentle|gently|quiet|quietly|hushed|tired|sleepy|monotone|flat)\b/, { energy: -0.3 }],
  [/\b(whisper|whispering|whispered)\b/, { energy: -0.5, rate: -0.05 }],
  // emotion
  [/\b(happy|cheerful|joyful|upbeat|playful|bubbly|delighted)\b/, { pitch: 1.5, energy: 0.2, rate: 0.05 }],
  [/\b(excited|thrilled|eager)\b/, { pitch: 2, energy: 0.35, rate: 0.15 }],
  [
    /\b(sad|melancholy|melancholic|somber|sombre|mournful|grieving|depressed)\b/,
    { pitch: -1.5, energy: -0.3, rate: -0.12 },
  ],
  [/\b(angry|furious|irritated|stern|harsh)\b/, { energy: 0.4, rate: 0.05, pitch: -0.5 }],
  [/\b(calm|serene|soothing|relaxed|peaceful|steady)\b/, { energy: -0.15, rate: -0.08 }],
  [/\b(nervous|anxious|scared|fearful|worried|timid)\b/, { pitch: 1.5, rate: 0.1, energy: -0.1 }],
  [/\b(confident|authoritative|commanding|assertive)\b/, { pitch: -1, energy: 0.2 }],
]

const FEMALE =
  /\b(woman|women|female|feminine|girl|lady|ladies|she|her|mother|grandmother|grandma|queen|actress|wife|daughter|sister)\b/
const MALE =
  /\b(man|men|male|masculine|boy|guy|gentleman|he|his|him|father|grandfather|grandpa|king|actor|husband|son|brother)\b/
const YOUNG = /\b(child|kid|young|youthful|teen|teenage|teenager|little)\b/
const OLD = /\b(old|elderly|aged|senior|ancient|grandfather|grandmother|grandpa|grandma)\b/
const ACCENTS: ReadonlyArray<[RegExp, string]> = [
  [/\b(scottish|scots|scotland|highland)\b/, 'scottish'],
  [/\b(british|english accent|london|posh|cockney|rp|england)\b/, 'b'],
  [/\b(american|southern|texan|new york|californian)\b/, 'a'],
  [/\b(spanish|mexican|latino|latina|spain)\b/, 'e'],
  [/\b(french|parisian|france)\b/, 'f'],
  [/\b(indian|hindi|india)\b/, 'h'],
  [/\b(italian|italy)\b/, 'i'],
  [/\b(japanese|japan)\b/, 'j'],
  [/\b(brazilian|portuguese|brazil)\b/, 'p'],
  [/\b(chinese|mandarin|china)\b/, 'z'],
]

/** Deterministic PRNG (mulberry32) so a seed always reproduces the same spec. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a: a stable seed from text (used for context utterances, which must reproduce a voice). */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

function cueDeltas(text: string): Required<Delta> {
  const d = { pitch: 0, rate: 0, energy: 0 }
  for (const [re, delta] of CUES) {
    if (!re.test(text)) continue
    d.pitch += delta.pitch ?? 0
    d.rate += delta.rate ?? 0
    d.energy += delta.energy ?? 0
  }
  return d
}

function pick<T>(items: readonly T[], r: number): T {
  return items[Math.min(items.length - 1, Math.floor(r * items.length))]!
}

/** `variation` scales the seeded jitter (the SDK's `temperature`; 0 gives the bare mapping). */
export function designVoice(description: string, seed: number, variation = 1): VoiceSpec {
  const text = description.toLowerCase()
  const rand = rng(seed)
  const gender =
    FEMALE.test(text) && !MALE.test(text) ? 'f' : MALE.test(text) && !FEMALE.test(text) ? 'm' : rand() < 0.5 ? 'f' : 'm'
  const accent = ACCENTS.find(([re]) => re.test(text))?.[1] ?? 'a'
  const lang = accent === 'scottish' ? 'b' : accent
  const young = YOUNG.test(text)
  const old = !young && OLD.test(text)

  const maleFlite: FliteVoice[] = accent === 'scottish' || accent === 'b' ? ['awb'] : ['rms', 'kal']
  const flite: FliteVoice = gender === 'f' ? 'slt' : pick(maleFlite, rand())

  let candidates: string[] = KOKORO_VOICE_IDS.filter((id) => id[0] === lang && id[1] === gender)
  if (candidates.length === 0) candidates = KOKORO_VOICE_IDS.filter((id) => id[0] === lang)
  if (candidates.length === 0) candidates = KOKORO_VOICE_IDS.filter((id) => id[0] === 'a' && id[1] === gender)
  const primary = pick(candidates, rand())
  const rest = candidates.filter((c) => c !== primary)
  const secondary = rest.length > 0 ? pick(rest, rand()) : primary
  const w = 0.6 + rand() * 0.3
  const kokoro: StyleWeight[] =
    secondary === primary
      ? [{ id: primary, weight: 1 }]
      : [
          { id: primary, weight: round(w) },
          { id: secondary, weight: round(1 - w) },
        ]

  const d = cueDeltas(text)
  const agePitch = young ? 2 : old ? -2 : 0
  const ageRate = young ? 0.05 : old ? -0.08 : 0
  return {
    v: 1,
    flite,
    kokoro,
    pitch: round(clamp(agePitch + d.pitch + variation * (rand() * 3 - 1.5), -8, 8)),
    rate: round(clamp(1 + ageRate + d.rate + variation * (rand() * 0.1 - 0.05), 0.6, 1.6)),
    energy: round(clamp(1 + d.energy + variation * (rand() * 0.2 - 0.1), 0.3, 1.6)),
  }
}

/**
 * With a voice given, the description is acting direction: it moves pitch, pace and energy for
 * this utterance only and never changes who is speaking (engine voice and style blend stay).
 */
export function applyDelivery(voice: VoiceSpec, description: string | undefined): VoiceSpec {
  if (!description) return voice
  const d = cueDeltas(description.toLowerCase())
  return {
    ...voice,
    pitch: round(clamp(voice.pitch + d.pitch, -8, 8)),
    rate: round(clamp(voice.rate * (1 + d.rate), 0.5, 2)),
    energy: round(clamp(voice.energy * (1 + d.energy), 0.3, 1.8)),
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}
