import { Type, type Static } from 'typebox'
import { Name, VersionDescription } from './versions.schemas.js'

/** Hume's limit on a system prompt's length, in characters. */
export const MAX_PROMPT_TEXT = 100_000

const PromptText = Type.String({ maxLength: MAX_PROMPT_TEXT })
/** hume@0.16.0 posts and returns this on a prompt itself, not only on a config's prompt. */
const PromptExpansion = Type.Object({ enabled: Type.Optional(Type.Boolean()) })

export const PostedPrompt = Type.Object({
  name: Name,
  text: PromptText,
  prompt_expansion: Type.Optional(PromptExpansion),
  version_description: Type.Optional(VersionDescription),
})

export const PostedPromptVersion = Type.Object({
  text: PromptText,
  prompt_expansion: Type.Optional(PromptExpansion),
  version_description: Type.Optional(VersionDescription),
})

export const ReturnPrompt = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  /** FIXED: this exact version; LATEST: a config follows whichever version is newest. */
  version_type: Type.String(),
  version_description: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  created_on: Type.Integer(),
  modified_on: Type.Integer(),
  text: Type.String(),
  /** When the prompt was posted with it; on a config's expanded prompt, the config's own wins. */
  prompt_expansion: Type.Optional(PromptExpansion),
})
export type ReturnPrompt = Static<typeof ReturnPrompt>

/** What a prompt version stores beyond the shared columns. */
export interface PromptPayload {
  text: string
  prompt_expansion?: { enabled?: boolean }
}
