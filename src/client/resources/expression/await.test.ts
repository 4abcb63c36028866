import { describe, expect, it } from 'vitest'
import { InternalServerError, NotFoundError, ProsodiaConnectionError, ProsodiaTimeoutError } from '../../core/errors.js'
import type { RequestOptions } from '../../core/options.js'
import type { Status, UnionJob } from '../../types/expression.js'
import { MAX_FAILED_POLLS, pollUntilDone } from './await.js'

const job = (status: Status, extra: Partial<UnionJob['state']> = {}): UnionJob => ({
  type: 'INFERENCE',
  jobId: 'j1',
  request: { models: {}, transcription: null, urls: [], text: ['x'], callbackUrl: null, notify: false, files: [] },
  state: { status, createdTimestampMs: 1, ...extra },
})

/** A fake getJobDetails answering from a script, one step per poll (the last step repeats). */
function scripted(steps: (UnionJob | Error)[]) {
  const calls: { at: number; opts: RequestOptions }[] = []
  const start = Date.now()
  const getJob = (_id: string, opts: RequestOptions) => {
    calls.push({ at: Date.now() - start, opts })
    const step = steps[Math.min(calls.length - 1, steps.length - 1)]!
    return step instanceof Error ? Promise.reject(step) : Promise.resolve(step)
  }
  return { getJob, calls }
}

describe('awaitCompletion (pollUntilDone)', () => {
  it('returns a FAILED job rather than throwing, with its message', async () => {
    const { getJob } = scripted([job('QUEUED'), job('FAILED', { message: 'no inputs could be read' })])
    const done = await pollUntilDone('j1', getJob, { pollIntervalMs: 1 })
    expect(done.state).toMatchObject({ status: 'FAILED', message: 'no inputs could be read' })
  })

  it('reports the first state and each change, not every poll', async () => {
    const running = job('IN_PROGRESS', { startedTimestampMs: 2 })
    const { getJob, calls } = scripted([job('QUEUED'), job('QUEUED'), running, running, running, job('COMPLETED')])
    const seen: string[] = []
    await pollUntilDone('j1', getJob, { pollIntervalMs: 1, onProgress: (j) => seen.push(j.state.status) })
    expect(calls).toHaveLength(6)
    expect(seen).toEqual(['QUEUED', 'IN_PROGRESS', 'COMPLETED'])
  })

  it('backs off while nothing changes, up to the cap', async () => {
    const { getJob, calls } = scripted([job('QUEUED'), job('QUEUED'), job('QUEUED'), job('QUEUED'), job('COMPLETED')])
    await pollUntilDone('j1', getJob, { pollIntervalMs: 20, maxPollIntervalMs: 40 })
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at)
    // 20 after the first (new) state, then 30, then 40 (capped), 40.
    expect(gaps[0]).toBeGreaterThanOrEqual(18)
    expect(gaps[1]).toBeGreaterThanOrEqual(28)
    expect(gaps[2]).toBeGreaterThanOrEqual(38)
    expect(gaps[3]).toBeGreaterThanOrEqual(38)
    expect(gaps[3]).toBeLessThan(200)
  })

  it('times out with ProsodiaTimeoutError naming the last status, and stops polling', async () => {
    const { getJob, calls } = scripted([job('IN_PROGRESS')])
    const err = await pollUntilDone('j1', getJob, { pollIntervalMs: 5, timeoutMs: 60 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProsodiaTimeoutError)
    expect((err as Error).message).toMatch(/Job j1 did not finish within 60 ms \(still IN_PROGRESS\)/)
    const polls = calls.length
    await new Promise((r) => setTimeout(r, 50))
    expect(calls.length).toBe(polls)
  })

  it("rejects with the abort signal's reason, and passes the signal to each poll", async () => {
    const { getJob, calls } = scripted([job('QUEUED')])
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('user cancelled')), 30)
    await expect(pollUntilDone('j1', getJob, { pollIntervalMs: 5, abortSignal: controller.signal })).rejects.toThrow(
      'user cancelled',
    )
    expect(calls[0]!.opts.abortSignal).toBeInstanceOf(AbortSignal)
    const pre = new AbortController()
    pre.abort(new Error('already'))
    await expect(pollUntilDone('j1', getJob, { abortSignal: pre.signal })).rejects.toThrow('already')
  })

  it('polls through a few transient failures but not through a 404', async () => {
    const down = new ProsodiaConnectionError({ message: 'refused' })
    const flaky = scripted([job('QUEUED'), down, new InternalServerError({ statusCode: 502 }), job('COMPLETED')])
    expect((await pollUntilDone('j1', flaky.getJob, { pollIntervalMs: 1 })).state.status).toBe('COMPLETED')

    const gone = scripted([new NotFoundError({ statusCode: 404, body: { message: 'Job j1 not found' } })])
    await expect(pollUntilDone('j1', gone.getJob, { pollIntervalMs: 1 })).rejects.toBeInstanceOf(NotFoundError)
    expect(gone.calls).toHaveLength(1)

    const dead = scripted([down])
    await expect(pollUntilDone('j1', dead.getJob, { pollIntervalMs: 1 })).rejects.toBe(down)
    expect(dead.calls).toHaveLength(MAX_FAILED_POLLS)
  })

  it('waits without a deadline when timeoutMs is Infinity', async () => {
    const { getJob } = scripted([job('QUEUED'), job('COMPLETED')])
    const done = await pollUntilDone('j1', getJob, { pollIntervalMs: 1, timeoutMs: Infinity })
    expect(done.state.status).toBe('COMPLETED')
  })
})
