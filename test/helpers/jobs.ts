import type { FastifyInstance } from 'fastify'

/** A job as the API answers it; tests check shapes with the wire helpers, so fields stay loose. */
export interface JobState {
  job_id: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  state: { status: 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'; [k: string]: any }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [k: string]: any
}

/** Polls a batch job through the public API until it is COMPLETED or FAILED (or the deadline passes). */
export async function waitForJob(
  app: FastifyInstance,
  id: string,
  headers: Record<string, string>,
  { timeoutMs = 50_000, everyMs = 20 } = {},
): Promise<JobState> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/v0/batch/jobs/${id}`, headers })
    if (res.statusCode !== 200) throw new Error(`GET job ${id} answered ${res.statusCode}: ${res.body}`)
    const job = res.json() as JobState
    if (job.state.status === 'COMPLETED' || job.state.status === 'FAILED') return job
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state.status} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
