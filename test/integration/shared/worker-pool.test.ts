import { threadId } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import host from '../../fixtures/workers/test-tasks.js'
import { createInlinePool } from '../../../src/shared/workers/inline-pool.js'
import { createWorkerPool, type WorkerPool } from '../../../src/shared/workers/pool.js'
import type { TaskError } from '../../../src/shared/workers/protocol.js'

const entry = new URL('../../fixtures/workers/test-tasks.ts', import.meta.url)

describe.each([
  ['threads', () => createWorkerPool({ name: 'test', entry, threads: 2, workerData: { tag: 'from-data' } })],
  ['inline', () => createInlinePool('test', host.inline({ tag: 'from-data' }))],
] as const)('worker pool (%s)', (kind, make) => {
  const pool: WorkerPool = make()
  afterAll(() => pool.close())

  it('runs a task and returns its result, built with the pool data', async () => {
    const r = await pool.run<{ value: number; threadId: number; tag: string }>('echo', { value: 42 })
    expect(r.value).toBe(42)
    expect(r.tag).toBe('from-data')
    if (kind === 'threads') expect(r.threadId).not.toBe(threadId)
  })

  it('streams messages in order', async () => {
    const got: number[] = []
    for await (const n of pool.stream<number>('count', { upTo: 5, everyMs: 1 })) got.push(n)
    expect(got).toEqual([0, 1, 2, 3, 4])
  })

  it('cancels a stream the caller leaves', async () => {
    const got: number[] = []
    for await (const n of pool.stream<number>('count', { upTo: 1_000_000, everyMs: 2 })) {
      got.push(n)
      if (n === 3) break
    }
    expect(got).toEqual([0, 1, 2, 3])
    // The thread is free again: a cancelled task does not hold it.
    expect((await pool.run<{ value: string }>('echo', { value: 'after' })).value).toBe('after')
  })

  it('cancels on abort', async () => {
    const ac = new AbortController()
    const got: number[] = []
    const run = (async () => {
      for await (const n of pool.stream<number>('count', { upTo: 1_000_000, everyMs: 2 }, { signal: ac.signal })) {
        got.push(n)
        if (n === 2) ac.abort()
      }
    })()
    await run
    expect(got.length).toBeLessThan(10)
  })

  it("rethrows a task's error with its name and reason", async () => {
    const err = (await pool.run('fail', {}).catch((e: unknown) => e)) as TaskError
    expect(err.name).toBe('ArchiveError')
    expect(err.reason).toBe('link')
    expect(err.message).toBe('nope')
  })
})

describe('worker pool threads', () => {
  const pool = createWorkerPool({ name: 'test', entry, threads: 1, workerData: { tag: 'x' } })
  afterAll(() => pool.close())

  it('fails the caller when its thread dies, and keeps serving', async () => {
    await expect(pool.run('crash', {})).rejects.toThrow()
    expect((await pool.run<{ value: number }>('echo', { value: 1 })).value).toBe(1)
  })
})
