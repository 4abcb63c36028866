/** What the batch SDK contract tests share: raw bodies (for strict wire checks) and waiting for a job. */
import type { HumeClient } from 'hume-legacy'
import { expect } from 'vitest'

export function batchSdkHelpers(o: { base: () => string; auth: () => Record<string, string>; hume: () => HumeClient }) {
  return {
    /** The raw JSON body of a GET, as the SDK received it. */
    async raw(path: string): Promise<unknown> {
      const res = await fetch(`${o.base()}${path}`, { headers: o.auth() })
      expect(res.status).toBe(200)
      return res.json() as Promise<unknown>
    },
    /** Polls through the SDK until the job ends; the test's own deadline bounds a job that never does. */
    async completed(id: string, everyMs = 20) {
      for (;;) {
        const job = await o.hume().expressionMeasurement.batch.getJobDetails(id)
        if (job.state.status === 'COMPLETED' || job.state.status === 'FAILED') return job
        await new Promise((r) => setTimeout(r, everyMs))
      }
    },
  }
}
