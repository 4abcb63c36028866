// Which Prosodia voice an OpenAI `voice` string names. OpenAI's eleven names map to HUME_AI presets
// chosen by character (and, where Kokoro has a voice of that name, by sharing it); any other string
// is a voice of the caller's library (name, then id), then a preset's name or id.
import { errors } from '../../../shared/http/errors.js'
import type { PostedUtteranceVoice } from '../tts.schemas.js'
import type { VoicesService } from '../voices.service.js'

export const OPENAI_VOICES: Readonly<Record<string, string>> = {
  alloy: 'Kora', // neutral and even: the preset with no pitch, pace or energy offsets
  ash: 'Colton Rivers', // warm, confident male
  ballad: 'Male English Actor', // expressive British male
  coral: 'Ava Song', // warm, friendly female
  echo: 'Campfire Narrator', // calm, resonant male
  fable: 'Old Professor', // British storyteller; Kokoro's bm_fable leads its blend
  onyx: 'Vince Douglas', // deep male; Kokoro's am_onyx
  nova: 'Sitcom Girl', // bright, young female; Kokoro's af_nova is in its blend
  sage: 'Calm Meditation Guide', // soft, measured female
  shimmer: 'Imani Carter', // clear, low-key female
  verse: 'Energetic Host', // lively, expressive male
}

/** The posted voice reference for `voice`; 400 naming the field when nothing matches. */
export async function resolveSpeechVoice(
  voices: Pick<VoicesService, 'resolve'>,
  accountId: string,
  voice: string,
): Promise<PostedUtteranceVoice> {
  const preset = OPENAI_VOICES[voice.toLowerCase()]
  if (preset) return { name: preset, provider: 'HUME_AI' }
  // The account's own voices first: a saved voice named like a preset is the one its owner means.
  const candidates: PostedUtteranceVoice[] = [
    { name: voice, provider: 'CUSTOM_VOICE' },
    { id: voice, provider: 'CUSTOM_VOICE' },
    { name: voice, provider: 'HUME_AI' },
    { id: voice, provider: 'HUME_AI' },
  ]
  for (const c of candidates) if (await voices.resolve(accountId, c)) return c
  throw errors.invalidField(
    ['body', 'voice'],
    `Unknown voice "${voice}": use one of ${Object.keys(OPENAI_VOICES).join(', ')}, a HUME_AI preset voice, ` +
      'or the name or id of a voice saved in your library',
  )
}
