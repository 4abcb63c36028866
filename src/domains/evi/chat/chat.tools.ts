/**
 * The tools a chat's language model may call: the config's user-defined tools and built-in tools,
 * and those the session settings add (a session tool replaces a config tool of the same name).
 * Built-ins: `hang_up` ends the chat; `web_search` answers from the configured search provider, or
 * honestly says there is none.
 */
import { jsonDepth } from '../../../shared/http/json.js'
import type { ReturnConfig } from '../configs.schemas.js'
import { TOOL_SCHEMA_MAX_DEPTH } from '../tools.service.js'
import type { LlmTool } from '../llm/llm.types.js'
import type { SessionTool } from './chat.messages.js'

export type BuiltinName = 'hang_up' | 'web_search'

export interface ChatTool {
  spec: LlmTool
  type: 'function' | 'builtin'
  fallbackContent?: string
}

const BUILTIN_SPECS: Record<BuiltinName, LlmTool> = {
  hang_up: {
    name: 'hang_up',
    description:
      'End the conversation and hang up. Call this only when the user clearly says goodbye or asks to end the call.',
    parameters: { type: 'object', properties: {} },
  },
  web_search: {
    name: 'web_search',
    description: 'Search the web for current information the conversation needs.',
    parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  },
}

/** Names that would collide with an object's own machinery wherever tools are kept by name. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype'])

/** A tool's `parameters` (a JSON Schema as a string) parsed; a tool whose schema is not an object is refused. */
export function parseParameters(name: string, text: string): Record<string, unknown> {
  if (RESERVED_NAMES.has(name)) throw new Error(`tool "${name}": that name is reserved`)
  if (jsonDepth(text, TOOL_SCHEMA_MAX_DEPTH) > TOOL_SCHEMA_MAX_DEPTH)
    throw new Error(`tool "${name}": parameters is nested more than ${TOOL_SCHEMA_MAX_DEPTH} levels deep`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error(`tool "${name}": parameters is not valid JSON`)
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`tool "${name}": parameters must be a JSON Schema object`)
  return value as Record<string, unknown>
}

export interface ToolSources {
  config?: ReturnConfig
  sessionTools?: readonly SessionTool[]
  sessionBuiltins?: readonly { name: BuiltinName; fallback_content?: string | null }[]
}

/** The chat's tools by name, and a problem per tool that could not be offered. */
export function chatTools(s: ToolSources): { tools: Map<string, ChatTool>; problems: string[] } {
  const tools = new Map<string, ChatTool>()
  const problems: string[] = []
  const addBuiltin = (name: BuiltinName, fallback?: string | null) =>
    tools.set(name, { spec: BUILTIN_SPECS[name], type: 'builtin', fallbackContent: fallback ?? undefined })
  const addFunction = (t: {
    name: string
    parameters: string
    description?: string | null
    fallback_content?: string | null
  }) => {
    try {
      tools.set(t.name, {
        spec: {
          name: t.name,
          description: t.description ?? undefined,
          parameters: parseParameters(t.name, t.parameters),
        },
        type: 'function',
        fallbackContent: t.fallback_content ?? undefined,
      })
    } catch (err) {
      problems.push((err as Error).message)
    }
  }
  for (const b of s.config?.builtin_tools ?? []) addBuiltin(b.name as BuiltinName, b.fallback_content)
  for (const t of s.config?.tools ?? []) if (t) addFunction(t)
  for (const b of s.sessionBuiltins ?? []) addBuiltin(b.name, b.fallback_content)
  for (const t of s.sessionTools ?? []) {
    if (t.type === 'builtin') {
      if (t.name === 'hang_up' || t.name === 'web_search') addBuiltin(t.name, t.fallback_content)
      else problems.push(`tool "${t.name}": there is no such built-in tool`)
    } else addFunction(t)
  }
  return { tools, problems }
}
