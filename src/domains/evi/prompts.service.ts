import type { Kysely } from 'kysely'
import type { Database, EviVersionRow } from '../../shared/storage/database.js'
import type { PromptPayload, ReturnPrompt } from './prompts.schemas.js'
import { VersionedService, versionFields } from './versions.service.js'

export function toReturnPrompt(row: EviVersionRow, versionType: 'FIXED' | 'LATEST' = 'FIXED'): ReturnPrompt {
  const payload = JSON.parse(row.payload) as PromptPayload
  const prompt: ReturnPrompt = { ...versionFields(row, versionType), text: payload.text }
  if (payload.prompt_expansion) prompt.prompt_expansion = payload.prompt_expansion
  return prompt
}

export function toPromptPayload(body: Record<string, unknown>): PromptPayload {
  const payload: PromptPayload = { text: body.text as string }
  if (body.prompt_expansion) payload.prompt_expansion = body.prompt_expansion as PromptPayload['prompt_expansion']
  return payload
}

export function createPromptService(db: Kysely<Database>): VersionedService<ReturnPrompt> {
  return new VersionedService(db, {
    kind: 'prompt',
    label: 'Prompt',
    toReturn: async (rows) => rows.map((r) => toReturnPrompt(r)),
  })
}
