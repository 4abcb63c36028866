import type { Kysely } from 'kysely'
import type { Database, EviVersionRow } from '../../shared/storage/database.js'
import { VOICE_PARAMETERS, type CustomVoicePayload, type ReturnCustomVoice } from './custom-voices.schemas.js'
import { VersionedService } from './versions.service.js'

export function toCustomVoicePayload(body: Record<string, unknown>): CustomVoicePayload {
  const given = (body.parameters ?? {}) as Record<string, number | undefined>
  const parameters: CustomVoicePayload['parameters'] = {}
  // Hume leaves out attributes at their default of 0.
  for (const p of VOICE_PARAMETERS) if (given[p] !== undefined && given[p] !== 0) parameters[p] = given[p]
  return {
    base_voice: body.base_voice as CustomVoicePayload['base_voice'],
    parameter_model: body.parameter_model as CustomVoicePayload['parameter_model'],
    parameters,
  }
}

export function toReturnCustomVoice(row: EviVersionRow): ReturnCustomVoice {
  const p = JSON.parse(row.payload) as CustomVoicePayload
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    created_on: row.created_on,
    modified_on: row.modified_on,
    base_voice: p.base_voice,
    parameter_model: p.parameter_model,
    parameters: p.parameters,
  }
}

export function createCustomVoiceService(db: Kysely<Database>): VersionedService<ReturnCustomVoice> {
  return new VersionedService(db, {
    kind: 'custom_voice',
    label: 'Custom voice',
    toReturn: async (rows) => rows.map(toReturnCustomVoice),
  })
}
