import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../shared/storage/database.js'
import { BASE_VOICES } from './custom-voices.schemas.js'
import type { ReturnVoice, VoiceRef } from './configs.schemas.js'
import * as repo from './versions.repo.js'

/** Resolves a config's `voice` reference for an account; `undefined` when there is no such voice. */
export interface VoiceLookup {
  resolve(accountId: string, ref: VoiceRef): Promise<ReturnVoice | undefined>
}

/** A stable UUID-shaped id derived from a name, so preset voices keep their id across restarts. */
export function presetVoiceId(name: string): string {
  const h = createHash('sha1').update(`prosodia-voice:${name}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** EVI's own base voices, which every account can name with provider HUME_AI. */
export const BASE_VOICE_PRESETS: ReturnVoice[] = BASE_VOICES.map((name) => ({
  id: presetVoiceId(name),
  name,
  provider: 'HUME_AI',
}))

function matches(ref: VoiceRef, voice: { id: string; name: string }): boolean {
  return 'id' in ref ? ref.id === voice.id : ref.name.toUpperCase() === voice.name.toUpperCase()
}

/** HUME_AI voices from a fixed library. */
export function presetVoiceLookup(presets: ReturnVoice[]): VoiceLookup {
  return {
    resolve: async (_accountId, ref) =>
      ref.provider === 'CUSTOM_VOICE' ? undefined : presets.find((p) => matches(ref, p)),
  }
}

/** The account's EVI custom voices (`/v0/evi/custom_voices`), as CUSTOM_VOICE. */
export function customVoiceLookup(db: Kysely<Database>): VoiceLookup {
  return {
    resolve: async (accountId, ref) => {
      if (ref.provider === 'HUME_AI') return undefined
      const scope = { accountId, kind: 'custom_voice' as const }
      const row =
        'id' in ref
          ? /^[0-9a-f-]{36}$/i.test(ref.id)
            ? await repo.getLatest(db, scope, ref.id)
            : undefined
          : await repo.findLatestByName(db, scope, ref.name.toUpperCase())
      return row ? { id: row.id, name: row.name, provider: 'CUSTOM_VOICE' } : undefined
    },
  }
}

/** Tries each lookup in turn: lets other domains (the TTS voice library) add their voices. */
export function firstOf(...lookups: VoiceLookup[]): VoiceLookup {
  return {
    resolve: async (accountId, ref) => {
      for (const lookup of lookups) {
        const voice = await lookup.resolve(accountId, ref)
        if (voice) return voice
      }
      return undefined
    },
  }
}
