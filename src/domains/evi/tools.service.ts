import { Ajv } from 'ajv'
import type { Kysely } from 'kysely'
import { errors } from '../../shared/http/errors.js'
import type { Database, EviVersionRow } from '../../shared/storage/database.js'
import type { ReturnUserDefinedTool, ToolPayload } from './tools.schemas.js'
import { VersionedService, versionFields } from './versions.service.js'

const metaValidator = new Ajv({ strict: false, validateSchema: true })

/**
 * A tool's `parameters` must be a JSON Schema object: the LLM is told to produce arguments that
 * match it, so a schema that does not parse or is not an object would break every chat using the tool.
 */
export function validateToolParameters(parameters: string): void {
  let parsed: unknown
  try {
    parsed = JSON.parse(parameters)
  } catch {
    throw errors.invalidField(['body', 'parameters'], 'parameters must be a JSON string', 'json_invalid')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw errors.invalidField(['body', 'parameters'], 'parameters must be a JSON Schema object', 'value_error')
  }
  if (!metaValidator.validateSchema(parsed)) {
    const why = metaValidator.errorsText(metaValidator.errors, { dataVar: 'parameters' })
    throw errors.invalidField(['body', 'parameters'], `parameters is not a valid JSON Schema: ${why}`, 'value_error')
  }
}

export function toToolPayload(body: Record<string, unknown>): ToolPayload {
  const parameters = body.parameters as string
  validateToolParameters(parameters)
  return {
    parameters,
    description: (body.description as string | undefined) ?? null,
    fallback_content: (body.fallback_content as string | undefined) ?? null,
  }
}

export function toReturnTool(row: EviVersionRow, versionType: 'FIXED' | 'LATEST' = 'FIXED'): ReturnUserDefinedTool {
  const p = JSON.parse(row.payload) as ToolPayload
  return {
    tool_type: 'FUNCTION',
    ...versionFields(row, versionType),
    fallback_content: p.fallback_content,
    description: p.description,
    parameters: p.parameters,
  }
}

export function createToolService(db: Kysely<Database>): VersionedService<ReturnUserDefinedTool> {
  return new VersionedService(db, {
    kind: 'tool',
    label: 'Tool',
    toReturn: async (rows) => rows.map((r) => toReturnTool(r)),
  })
}
