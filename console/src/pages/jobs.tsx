import { useEffect, useRef, useState } from 'preact/hooks'
import type { expressionMeasurement as E } from '../../../src/client/index.js'
import { useClient } from '../api.js'
import { ErrorBanner } from '../components/error-banner.js'
import { JobDetails } from './jobs/job-details.js'
import { JobList } from './jobs/job-list.js'
import './jobs/jobs.css'
import { SubmitForm } from './jobs/submit-form.js'
import { useJobs } from './jobs/use-jobs.js'

/** The Jobs page: submit a batch job, watch the list, open a job's results as charts and tables. */
export function JobsPage() {
  const batch = useClient().expressionMeasurement.batch
  const { jobs, error, setError, upsert } = useJobs()
  const [selected, setSelected] = useState<string | null>(null)
  // The job started here, as its own wait last saw it: a list fetched just before it existed must not hide it.
  const [tracked, setTracked] = useState<E.UnionJob | null>(null)
  // Waits for jobs started here end with the page: nobody is left to show their progress.
  const waits = useRef(new AbortController())
  useEffect(() => () => waits.current.abort(), [])

  const started = (jobId: string) => {
    setSelected(jobId)
    const { signal } = waits.current
    const seen = (job: E.UnionJob) => {
      upsert(job)
      setTracked(job)
    }
    // The first poll answers at once (and puts the job on the list); later ones back off while nothing changes.
    batch
      .awaitCompletion(jobId, {
        pollIntervalMs: 500,
        maxPollIntervalMs: 4000,
        timeoutMs: Infinity,
        onProgress: seen,
        abortSignal: signal,
      })
      .then(seen)
      .catch((e: unknown) => {
        if (!signal.aborted) setError(e)
      })
  }

  const job = tracked?.jobId === selected ? tracked : jobs?.find((j) => j.jobId === selected)
  return (
    <>
      <SubmitForm onStarted={started} />
      <section aria-label="Job list">
        <h2>Recent jobs</h2>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        {jobs === null ? <p>Loading…</p> : <JobList jobs={jobs} selected={selected} onOpen={setSelected} />}
      </section>
      {job && <JobDetails job={job} />}
    </>
  )
}
