import { Ajv } from 'ajv'
import type { Kysely } from 'kysely'
import { errors } from '../../shared/http/errors.js'
import { jsonDepth } from '../../shared/http/json.js'
import type { Database, EviVersionRow } from '../../shared/storage/database.js'
import type { ReturnUserDefinedTool, ToolPayload } from './tools.schemas.js'
import { VersionedService, versionFields } from './versions.service.js'

const metaValidator = new Ajv({ strict: false, validateSchema: true })

/**
 * Nesting a tool's JSON Schema may have: schemas are walked recursively (validation, the AI SDK's
 * conversion), and a deep one would overflow the stack in every chat that offers the tool.
 */
export const TOOL_SCHEMA_MAX_DEPTH = 32

/**
 * A tool's `parameters` must be a JSON Schema object: the LLM is told to produce arguments that
 * match it, so a schema that does not parse or is not an object would break every chat using the tool.
 */
export function validateToolParameters(parameters: string): void {
  if (jsonDepth(parameters, TOOL_SCHEMA_MAX_DEPTH) > TOOL_SCHEMA_MAX_DEPTH)
    throw errors.invalidField(
      ['body', 'parameters'],
      `parameters is nested more than ${TOOL_SCHEMA_MAX_DEPTH} levels deep`,
      'value_error',
    )
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
