import { Type, type Static } from 'typebox'
import { Name, VersionDescription } from './versions.schemas.js'

const Parameters = Type.String({ minLength: 2, maxLength: 100_000 })
const Description = Type.String({ maxLength: 10_000 })
const FallbackContent = Type.String({ maxLength: 10_000 })

export const PostedUserDefinedTool = Type.Object({
  name: Name,
  /** A JSON Schema (as a string) for the arguments the LLM must produce. */
  parameters: Parameters,
  description: Type.Optional(Description),
  fallback_content: Type.Optional(FallbackContent),
  version_description: Type.Optional(VersionDescription),
})

export const PostedUserDefinedToolVersion = Type.Object({
  parameters: Parameters,
  description: Type.Optional(Description),
  fallback_content: Type.Optional(FallbackContent),
  version_description: Type.Optional(VersionDescription),
})

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])

export const ReturnUserDefinedTool = Type.Object({
  tool_type: Type.Union([Type.Literal('BUILTIN'), Type.Literal('FUNCTION')]),
  id: Type.String(),
  version: Type.Integer(),
  version_type: Type.Union([Type.Literal('FIXED'), Type.Literal('LATEST')]),
  version_description: Nullable(Type.String()),
  name: Type.String(),
  created_on: Type.Integer(),
  modified_on: Type.Integer(),
  fallback_content: Nullable(Type.String()),
  description: Nullable(Type.String()),
  parameters: Type.String(),
})
export type ReturnUserDefinedTool = Static<typeof ReturnUserDefinedTool>

export interface ToolPayload {
  parameters: string
  description: string | null
  fallback_content: string | null
}
