/**
 * Strict validation of raw response bodies against hume@0.15.17's own wire
 * schemas (`hume-legacy/serialization`): unknown keys, unknown enum values and
 * unknown union members all fail.
 */
import { createRequire } from 'node:module'
import { expect } from 'vitest'

interface FernSchema {
  parse(raw: unknown, opts: object): { ok: true; value: unknown } | { ok: false; errors: unknown[] }
}
const require = createRequire(import.meta.url)
const batch = (require('hume-legacy/serialization') as { expressionMeasurement: { batch: Record<string, unknown> } })
  .expressionMeasurement.batch as {
  UnionJob: FernSchema
  JobId: FernSchema
  listJobs: { Response: FernSchema }
  getJobPredictions: { Response: FernSchema }
}

const STRICT = {
  unrecognizedObjectKeys: 'fail',
  allowUnrecognizedUnionMembers: false,
  allowUnrecognizedEnumValues: false,
  skipValidation: false,
  breadcrumbsPrefix: ['response'],
}

function strict(schema: FernSchema, body: unknown): void {
  const r = schema.parse(body, STRICT)
  if (!r.ok) expect.fail(`not valid against the hume@0.15.17 wire schema: ${JSON.stringify(r.errors)}`)
}

export const expectUnionJob = (body: unknown) => strict(batch.UnionJob, body)
export const expectJobId = (body: unknown) => strict(batch.JobId, body)
export const expectJobList = (body: unknown) => strict(batch.listJobs.Response, body)

/**
 * Predictions carry `file_type` beside `file`, as Hume's responses do, though
 * the 0.15.17 InferencePrediction schema omits it: check it, drop it, then
 * validate everything else strictly.
 */
export function expectPredictions(body: unknown): void {
  const copy = structuredClone(body) as { results?: { predictions?: { file_type?: unknown }[] } }[]
  for (const source of copy) {
    for (const p of source.results?.predictions ?? []) {
      expect(typeof p.file_type).toBe('string')
      delete p.file_type
    }
  }
  strict(batch.getJobPredictions.Response, copy)
}
