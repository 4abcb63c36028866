import { useCallback, useEffect, useState } from 'preact/hooks'
import type { expressionMeasurement as E } from '../../../../src/client/index.js'
import { useClient } from '../../api.js'

/** Jobs listed: the newest this many (the API's default page is 50). */
export const LIST_LIMIT = 50
/** How often the list is refreshed while a job on it is still queued or running. */
export const LIST_POLL_MS = 2000

export const isRunning = (job: E.UnionJob) => job.state.status === 'QUEUED' || job.state.status === 'IN_PROGRESS'

/**
 * The account's newest jobs, refreshed every LIST_POLL_MS while any of them is still QUEUED or IN_PROGRESS
 * (the next poll is armed only when the last one answered, so a slow server never gets them piled up).
 * `upsert` puts in a job known from elsewhere (a job just started, or awaitCompletion's progress).
 */
export function useJobs() {
  const batch = useClient().expressionMeasurement.batch
  const [jobs, setJobs] = useState<E.UnionJob[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)

  const reload = useCallback(async () => {
    try {
      setJobs(await batch.listJobs({ limit: LIST_LIMIT, sortBy: 'created', direction: 'desc' }))
      setError(null)
    } catch (e) {
      setError(e)
    } finally {
      setTick((n) => n + 1)
    }
  }, [batch])

  const upsert = useCallback((job: E.UnionJob) => {
    setJobs((list) => {
      // Keeps the list's order; a job not on it yet is the newest.
      if (!list?.some((j) => j.jobId === job.jobId)) return [job, ...(list ?? [])]
      return list.map((j) => (j.jobId === job.jobId ? job : j))
    })
  }, [])

  useEffect(() => {
    void reload()
  }, [reload])

  const running = jobs?.some(isRunning) ?? false
  useEffect(() => {
    if (!running) return
    const timer = setTimeout(() => void reload(), LIST_POLL_MS)
    return () => clearTimeout(timer)
  }, [running, tick, reload])

  return { jobs, error, setError, reload, upsert }
}
