/** The EVI resource services, built once by the runtime and handed to the routes. */
import type { Kysely } from 'kysely'
import type { Database } from '../../shared/storage/database.js'
import { ConfigService } from './configs.service.js'
import { createCustomVoiceService } from './custom-voices.service.js'
import { createPromptService } from './prompts.service.js'
import { createToolService } from './tools.service.js'
import type { VoiceLookup } from './voice-lookup.js'

export function createEviServices(
  db: Kysely<Database>,
  voices: VoiceLookup,
  limits: { configBytes: number; pageBytes: number },
) {
  const prompts = createPromptService(db)
  return {
    prompts,
    tools: createToolService(db),
    customVoices: createCustomVoiceService(db),
    configs: new ConfigService(db, voices, prompts, limits),
  }
}

export type EviServices = ReturnType<typeof createEviServices>
