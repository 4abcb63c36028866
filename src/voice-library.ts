import type { Kysely } from 'kysely'
import type { VoiceLookup } from './domains/evi/voice-lookup.js'
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
