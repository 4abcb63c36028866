import type { Static } from 'typebox'
import type { Camelize } from '../core/casing.js'
import type * as P from '../../domains/evi/prompts.schemas.js'

// Pattern for every type here: the wire schema's static type, camelCased.
export type PostedPrompt = Camelize<Static<typeof P.PostedPrompt>>
export type ReturnPrompt = Camelize<Static<typeof P.ReturnPrompt>>
