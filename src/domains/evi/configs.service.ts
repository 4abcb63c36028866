import type { Kysely } from 'kysely'
import { errors } from '../../shared/http/errors.js'
import type { Database, EviVersionRow } from '../../shared/storage/database.js'
import type { PostedConfigVersion, ReturnConfig, ReturnVoice } from './configs.schemas.js'
import type { ReturnPrompt } from './prompts.schemas.js'
import { toReturnPrompt } from './prompts.service.js'
import { toReturnTool } from './tools.service.js'
import type { VoiceLookup } from './voice-lookup.js'
import * as repo from './versions.repo.js'
import { VersionedService } from './versions.service.js'

type Posted = PostedConfigVersion & { name?: string }
/** `version: null` follows the newest version of the referenced resource (version_type LATEST). */
interface Ref {
  id: string
  version: number | null
}

/** What a config version stores: references by id, every other section as validated and normalised. */
export interface ConfigPayload {
  evi_version: string
  prompt: (Ref & { prompt_expansion?: { enabled?: boolean } }) | null
  tools: Ref[]
  voice: ReturnVoice | null
  builtin_tools: ReturnConfig['builtin_tools']
  language_model: ReturnConfig['language_model']
  ellm_model: ReturnConfig['ellm_model']
  event_messages: ReturnConfig['event_messages']
  timeouts: ReturnConfig['timeouts']
  nudges: ReturnConfig['nudges']
  turn_detection: ReturnConfig['turn_detection']
  interruption: ReturnConfig['interruption']
  webhooks: ReturnConfig['webhooks']
}

// Hume's documented defaults: 600 s of inactivity and the 1,800 s socket limit; eLLM short replies on.
const DEFAULT_INACTIVITY_SECS = 600
const DEFAULT_MAX_DURATION_SECS = 1800

function eventMessage(m: { enabled: boolean; text?: string | null } | undefined) {
  return { enabled: m?.enabled ?? false, text: m?.text ?? null }
}

/** What a stored row adds to a response: its payload plus its names and a margin for the fixed fields. */
function rowBytes(row: EviVersionRow | undefined): number {
  if (!row) return 0
  return Buffer.byteLength(row.payload) + Buffer.byteLength(row.name) + (row.version_description?.length ?? 0) + 256
}

function pick(rows: Map<string, EviVersionRow>, kind: 'prompt' | 'tool', ref: Ref): EviVersionRow | undefined {
  return rows.get(`${kind}:${ref.id}:${ref.version ?? 'latest'}`)
}

export class ConfigService extends VersionedService<ReturnConfig> {
  constructor(
    db: Kysely<Database>,
    private readonly voices: VoiceLookup,
    /** An inline `prompt: { text }` becomes a prompt resource of its own. */
    private readonly prompts: VersionedService<ReturnPrompt>,
    /** Bytes of one expanded config (checked when it is written) and of one expanded page (when read). */
    private readonly limits: { configBytes: number; pageBytes: number },
  ) {
    super(db, { kind: 'config', label: 'Config', toReturn: (rows, accountId) => this.expand(rows, accountId) })
  }

  private async checkRef(accountId: string, kind: 'prompt' | 'tool', ref: Ref): Promise<EviVersionRow> {
    const scope = { accountId, kind }
    const row =
      ref.version === null
        ? await repo.getLatest(this.db, scope, ref.id)
        : await repo.getVersion(this.db, scope, ref.id, ref.version)
    const label = kind === 'prompt' ? 'Prompt' : 'Tool'
    if (!row)
      throw errors.badRequest(`${label} ${ref.id}${ref.version === null ? '' : ` version ${ref.version}`} not found`)
    return row
  }

  /** Validates a posted config against the account's resources and normalises it for storage. */
  async toPayload(body: Posted, accountId: string): Promise<ConfigPayload> {
    const lm = body.language_model
    if (lm?.model_resource && /^https?:\/\//.test(lm.model_resource) && lm.model_provider !== 'CUSTOM_LANGUAGE_MODEL')
      throw errors.invalidField(
        ['body', 'language_model', 'model_resource'],
        'a URL is a model_resource only for model_provider CUSTOM_LANGUAGE_MODEL',
        'value_error',
      )
    let prompt: ConfigPayload['prompt'] = null
    // Bytes the config's references add once expanded (each listed tool is repeated in full).
    let referencedBytes = 0
    if (body.prompt?.id) {
      prompt = { id: body.prompt.id, version: body.prompt.version ?? null }
      referencedBytes += rowBytes(await this.checkRef(accountId, 'prompt', prompt))
    } else if (body.prompt?.text !== undefined) {
      // An inline prompt becomes a prompt resource of its own (created once the config passes its checks).
      prompt = { id: '', version: 0 }
      referencedBytes += Buffer.byteLength(JSON.stringify({ text: body.prompt.text })) + 512
    } else if (body.prompt) {
      throw errors.invalidField(['body', 'prompt'], 'prompt needs an id or a text')
    }
    if (prompt && body.prompt?.prompt_expansion) prompt.prompt_expansion = body.prompt.prompt_expansion

    const tools = (body.tools ?? []).filter((t) => t !== null).map((t) => ({ id: t.id, version: t.version ?? null }))
    // One query for all the tools, however many times each is listed.
    const toolRows = await repo.listReferenced(this.db, accountId, ['tool'], tools)
    for (const tool of tools) {
      const row = pick(toolRows, 'tool', tool)
      if (!row)
        throw errors.badRequest(`Tool ${tool.id}${tool.version === null ? '' : ` version ${tool.version}`} not found`)
      referencedBytes += rowBytes(row)
    }

    let voice: ReturnVoice | null = null
    if (body.voice) {
      voice = (await this.voices.resolve(accountId, body.voice)) ?? null
      if (!voice) throw errors.badRequest(`Voice ${'id' in body.voice ? body.voice.id : body.voice.name} not found`)
    }

    const t = body.timeouts
    const payload: ConfigPayload = {
      evi_version: body.evi_version,
      prompt,
      tools,
      voice,
      builtin_tools: (body.builtin_tools ?? [])
        .filter((b) => b !== null)
        .map((b) => ({ tool_type: 'BUILTIN' as const, name: b.name, fallback_content: b.fallback_content ?? null })),
      language_model: body.language_model ?? null,
      ellm_model: { allow_short_responses: body.ellm_model?.allow_short_responses ?? true },
      event_messages: {
        on_new_chat: eventMessage(body.event_messages?.on_new_chat),
        on_inactivity_timeout: eventMessage(body.event_messages?.on_inactivity_timeout),
        on_max_duration_timeout: eventMessage(body.event_messages?.on_max_duration_timeout),
      },
      timeouts: {
        inactivity: {
          enabled: t?.inactivity?.enabled ?? true,
          duration_secs: t?.inactivity?.duration_secs ?? DEFAULT_INACTIVITY_SECS,
        },
        max_duration: {
          enabled: t?.max_duration?.enabled ?? true,
          duration_secs: t?.max_duration?.duration_secs ?? DEFAULT_MAX_DURATION_SECS,
        },
      },
      nudges: { enabled: body.nudges?.enabled ?? true, interval_secs: body.nudges?.interval_secs ?? null },
      turn_detection: body.turn_detection ?? null,
      interruption: body.interruption ?? null,
      webhooks: (body.webhooks ?? []).filter((w) => w !== null).map((w) => ({ url: w.url, events: [...w.events] })),
    }
    const size = Buffer.byteLength(JSON.stringify(payload)) + referencedBytes
    if (size > this.limits.configBytes) {
      throw errors.badRequest(
        `The config would be ${size} bytes once its prompt and tools are expanded; the limit is ${this.limits.configBytes} (PROSODIA_EVI_MAX_CONFIG_BYTES)`,
      )
    }
    if (payload.prompt?.id === '' && body.prompt?.text !== undefined) {
      const created = await this.prompts.create(accountId, body.name ?? 'Config prompt', undefined, {
        text: body.prompt.text,
      })
      payload.prompt.id = created.id
    }
    return payload
  }

  /** Expands prompt and tool references into full objects, fetching both kinds in one query. */
  private async expand(rows: EviVersionRow[], accountId: string): Promise<ReturnConfig[]> {
    const payloads = rows.map((r) => JSON.parse(r.payload) as ConfigPayload)
    // Prompts and tools in one pass: only the versions the configs name (ids are unique across kinds).
    const refs = payloads.flatMap((p) => [...(p.prompt ? [p.prompt] : []), ...p.tools])
    const referenced = await repo.listReferenced(this.db, accountId, ['prompt', 'tool'], refs)
    // Expansion repeats each referenced prompt and tool in every config that names it: size the page
    // from the rows first, so an oversized one is refused before it is built.
    let size = 0
    for (const [i, row] of rows.entries()) {
      const p = payloads[i] as ConfigPayload
      size += rowBytes(row)
      const promptRow = p.prompt ? pick(referenced, 'prompt', p.prompt) : undefined
      if (promptRow) size += rowBytes(promptRow)
      for (const t of p.tools) size += rowBytes(pick(referenced, 'tool', t))
    }
    // A page of one config is always served: what it can grow to is bounded anyway (at most 100
    // tool references and one prompt), and refusing it would leave the config unreadable.
    if (rows.length > 1 && size > this.limits.pageBytes) {
      throw errors.badRequest(
        `This page of configs would be about ${size} bytes with their prompts and tools expanded; the limit is ${this.limits.pageBytes} (PROSODIA_MAX_PAGE_BYTES). Ask for a smaller page_size.`,
      )
    }
    return rows.map((row, i) => {
      const p = payloads[i] as ConfigPayload
      const promptRow = p.prompt ? pick(referenced, 'prompt', p.prompt) : undefined
      const prompt =
        promptRow && p.prompt ? toReturnPrompt(promptRow, p.prompt.version === null ? 'LATEST' : 'FIXED') : null
      if (prompt && p.prompt?.prompt_expansion) prompt.prompt_expansion = p.prompt.prompt_expansion
      return {
        id: row.id,
        version: row.version,
        version_description: row.version_description,
        name: row.name,
        created_on: row.created_on,
        modified_on: row.modified_on,
        evi_version: p.evi_version,
        prompt,
        tools: p.tools.map((t) => {
          const toolRow = pick(referenced, 'tool', t)
          return toolRow ? toReturnTool(toolRow, t.version === null ? 'LATEST' : 'FIXED') : null
        }),
        voice: p.voice,
        builtin_tools: p.builtin_tools,
        language_model: p.language_model,
        ellm_model: p.ellm_model,
        event_messages: p.event_messages,
        timeouts: p.timeouts,
        nudges: p.nudges,
        turn_detection: p.turn_detection,
        interruption: p.interruption,
        webhooks: p.webhooks,
      }
    })
  }
}
