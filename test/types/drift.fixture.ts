/**
 * Must NOT compile: a client type that drifted from the server's schema. test/client/types.test.ts runs tsc
 * on this file and expects exactly these errors, proving the type test catches drift.
 */
import type { Static } from 'typebox'
import type { Camelize } from '../../src/client/index.js'
import type { ReturnPrompt } from '../../src/domains/evi/prompts.schemas.js'
import type { Assert, Equals } from './type-assert.js'

/** A hand-written ReturnPrompt that forgot a field the server sends. */
interface HandWrittenPrompt {
  id: string
  version: number
  versionType: string
  versionDescription: string | null
  name: string
  createdOn: number
  modifiedOn: number
  promptExpansion?: { enabled?: boolean }
}

export type Drift = Assert<Equals<HandWrittenPrompt, Camelize<Static<typeof ReturnPrompt>>>>
