import type { Kysely } from 'kysely'
import type { SpeechVoices } from './domains/evi/chat/chat.deps.js'
import type { CustomVoicePayload } from './domains/evi/custom-voices.schemas.js'
import { findLatestByName, getLatest } from './domains/evi/versions.repo.js'
import { BASE_VOICE_PRESETS, type VoiceLookup } from './domains/evi/voice-lookup.js'
import { designVoice, hashSeed } from './domains/tts/voice-design.js'
import type { VoicesService } from './domains/tts/voices.service.js'
import { findVoice } from './domains/tts/tts.repo.js'
import { PRESET_VOICES } from './domains/tts/voice-presets.js'
import type { Database } from './shared/storage/database.js'

/**
 * Lets an EVI config name any voice of the TTS library: the HUME_AI presets and the account's saved
 * CUSTOM_VOICEs. Lives at the composition root so that neither domain imports the other.
 */
export function ttsVoiceLookup(db: Kysely<Database>): VoiceLookup {
  return {
    resolve: async (accountId, ref) => {
      if (ref.provider !== 'CUSTOM_VOICE') {
        const preset = PRESET_VOICES.find((p) =>
          'id' in ref ? p.id === ref.id : p.name.toLowerCase() === ref.name.toLowerCase(),
        )
        if (preset) return { id: preset.id, name: preset.name, provider: 'HUME_AI' }
      }
      if (ref.provider === 'HUME_AI') return undefined
      const saved = await findVoice(db, accountId, 'id' in ref ? { id: ref.id } : { name: ref.name })
      return saved ? { id: saved.id, name: saved.name, provider: 'CUSTOM_VOICE' } : undefined
    },
  }
}

const UUID = /^[0-9a-f-]{36}$/i

/** Words voice design understands for an EVI custom voice's parameters (-100..100 each). */
const PARAMETER_WORDS: Record<string, [low: string, high: string]> = {
  gender: ['masculine', 'feminine'],
  assertiveness: ['timid', 'assertive'],
  buoyancy: ['flat', 'lively'],
  confidence: ['nervous', 'confident'],
  enthusiasm: ['calm', 'enthusiastic'],
  nasality: ['warm', 'nasal'],
  relaxedness: ['hurried', 'relaxed'],
  smoothness: ['raspy', 'smooth'],
  tepidity: ['energetic', 'tired'],
  tightness: ['relaxed', 'sharp'],
}

/** The words a base voice name stands for (EVI's legacy base voices carry no description of their own). */
const BASE_VOICE_WORDS: Record<string, string> = {
  ITO: 'calm man',
  KORA: 'warm woman',
  DACHER: 'deep measured man',
  AURA: 'soft gentle woman',
  FINN: 'lively young man',
  WHIMSY: 'playful bright woman',
  STELLA: 'clear confident woman',
  SUNNY: 'cheerful upbeat woman',
}

/**
 * The voice an EVI chat speaks with: a TTS library voice (HUME_AI preset or saved CUSTOM_VOICE), an
 * EVI base voice, or an EVI custom voice (its base voice and parameters become a voice design).
 */
export function eviSpeechVoices(db: Kysely<Database>, voices: VoicesService): SpeechVoices {
  const byRef = (ref: { id?: string; name?: string }) => (ref.id ? { id: ref.id } : { name: ref.name ?? '' })
  return {
    fallback: PRESET_VOICES[0]!.spec,
    async resolve(accountId, ref) {
      const by = byRef(ref)
      for (const provider of ['HUME_AI', 'CUSTOM_VOICE'] as const) {
        if (ref.provider && ref.provider !== provider) continue
        const spec = await voices.resolve(accountId, { ...by, provider } as never)
        if (spec) return spec
        if (ref.id && ref.name && ref.name !== ref.id) {
          const byName = await voices.resolve(accountId, { name: ref.name, provider } as never)
          if (byName) return byName
        }
      }
      const base = BASE_VOICE_PRESETS.find((v) => v.id === ref.id || v.name === (ref.name ?? '').toUpperCase())
      if (base && ref.provider !== 'CUSTOM_VOICE')
        return designVoice(BASE_VOICE_WORDS[base.name] ?? base.name, hashSeed(base.name))
      if (ref.provider === 'HUME_AI') return undefined
      const scope = { accountId, kind: 'custom_voice' as const }
      const row = ref.id && UUID.test(ref.id) ? await getLatest(db, scope, ref.id) : undefined
      const named = row ?? (ref.name ? await findLatestByName(db, scope, ref.name.toUpperCase()) : undefined)
      if (!named) return undefined
      const p = JSON.parse(named.payload) as CustomVoicePayload
      const words = Object.entries(p.parameters ?? {}).flatMap(([k, v]) => {
        const pair = PARAMETER_WORDS[k]
        if (!pair || v === undefined || Math.abs(v) < 30) return []
        return [v < 0 ? pair[0] : pair[1]]
      })
      return designVoice(`${BASE_VOICE_WORDS[p.base_voice] ?? ''} ${words.join(' ')}`.trim(), hashSeed(named.id))
    },
  }
}
