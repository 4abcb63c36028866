// The voice library: HUME_AI presets (shared) and CUSTOM_VOICE voices saved from generations.
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { VoiceSpec } from './engines/engine.js'
import { errors } from '../../shared/http/errors.js'
import { monotonicNow } from '../../shared/storage/clock.js'
import type { Database } from '../../shared/storage/database.js'
import * as repo from './tts.repo.js'
import type { PostedUtteranceVoice, Provider, ReturnVoice, VoicesListQuery } from './tts.schemas.js'
import { PRESET_VOICES, findPreset } from './voice-presets.js'

/** Octave model families a voice can be used with; every voice here renders on any engine. */
const COMPATIBLE = ['octave-1', 'octave-2']

function toReturnVoice(v: { id: string; name: string }, provider: Provider): ReturnVoice {
  return { id: v.id, name: v.name, provider, compatible_octave_models: COMPATIBLE }
}

export function parseSpec(json: string): VoiceSpec {
  return JSON.parse(json) as VoiceSpec
}

export class VoicesService {
  constructor(private readonly db: Kysely<Database>) {}

  /** The spec a posted voice names, or undefined. The provider defaults to CUSTOM_VOICE, as Hume's does. */
  async resolve(accountId: string, voice: PostedUtteranceVoice): Promise<VoiceSpec | undefined> {
    const by = 'id' in voice ? { id: voice.id } : { name: voice.name }
    if (voice.provider === 'HUME_AI') return findPreset(by)?.spec
    const row = await repo.findVoice(this.db, accountId, by)
    return row ? parseSpec(row.spec) : undefined
  }

  async list(accountId: string, q: VoicesListQuery) {
    const offset = q.page_number * q.page_size
    const page = (items: ReturnVoice[], total: number) => ({
      page_number: q.page_number,
      page_size: q.page_size,
      total_pages: Math.ceil(total / q.page_size),
      voices_page: items,
    })
    if (q.provider === 'HUME_AI') {
      const all = q.ascending_order === false ? [...PRESET_VOICES].reverse() : PRESET_VOICES
      return page(
        all.slice(offset, offset + q.page_size).map((v) => toReturnVoice(v, 'HUME_AI')),
        all.length,
      )
    }
    // Custom voices list oldest first only when asked; newest first matches the other list routes.
    const { rows, total } = await repo.listVoices(this.db, accountId, {
      limit: q.page_size,
      offset,
      ascending: q.ascending_order === true,
    })
    return page(
      rows.map((r) => toReturnVoice(r, 'CUSTOM_VOICE')),
      total,
    )
  }

  async create(accountId: string, generationId: string, name: string): Promise<ReturnVoice> {
    const gen = await repo.getGeneration(this.db, accountId, generationId)
    if (!gen) throw errors.invalidField(['body', 'generation_id'], `Generation ${generationId} not found`)
    if (await repo.findVoice(this.db, accountId, { name })) {
      throw errors.invalidField(['body', 'name'], `A voice named "${name}" already exists`)
    }
    const row = {
      id: randomUUID(),
      account_id: accountId,
      name,
      generation_id: gen.id,
      spec: gen.spec,
      created_at: monotonicNow(),
    }
    await repo.insertVoice(this.db, row)
    return toReturnVoice(row, 'CUSTOM_VOICE')
  }

  async delete(accountId: string, name: string): Promise<void> {
    const n = await repo.deleteVoiceByName(this.db, accountId, name)
    if (n === 0) throw errors.notFound('Voice', name)
  }
}
