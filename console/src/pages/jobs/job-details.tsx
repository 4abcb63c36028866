import type { expressionMeasurement as E } from '../../../../src/client/index.js'
import { JobResults } from './job-results.js'
import { inputsOf, modelsOf, StatusText, when } from './job-list.js'
import { isRunning } from './use-jobs.js'

/** One job: its state, what it was asked, and once COMPLETED its results. */
export function JobDetails({ job }: { job: E.UnionJob }) {
  const { state, request } = job
  return (
    <section class="card" aria-label="Job details">
      <h2>Job {job.jobId.slice(0, 8)}</h2>
      <dl class="facts">
        <dt>ID</dt>
        <dd>
          <code>{job.jobId}</code>
        </dd>
        <dt>Status</dt>
        <dd aria-live="polite">
          <StatusText status={state.status} />
        </dd>
        <dt>Created</dt>
        <dd>{when(state.createdTimestampMs)}</dd>
        {state.startedTimestampMs !== undefined && (
          <>
            <dt>Started</dt>
            <dd>{when(state.startedTimestampMs)}</dd>
          </>
        )}
        {state.endedTimestampMs !== undefined && (
          <>
            <dt>Ended</dt>
            <dd>{when(state.endedTimestampMs)}</dd>
          </>
        )}
        <dt>Inputs</dt>
        <dd>
          {inputsOf(job)}
          {request.files.length > 0 && ` (${request.files.map((f) => f.filename ?? f.md5Sum).join(', ')})`}
        </dd>
        <dt>Models</dt>
        <dd>{modelsOf(job)}</dd>
        {state.numPredictions !== undefined && (
          <>
            <dt>Predictions</dt>
            <dd>
              {state.numPredictions} ({state.numErrors ?? 0} errors)
            </dd>
          </>
        )}
      </dl>
      {state.status === 'FAILED' && (
        <div class="banner error" role="alert">
          {state.message ?? 'The job failed.'}
        </div>
      )}
      {isRunning(job) && <p role="status">Waiting for the job to finish…</p>}
      {state.status === 'COMPLETED' && <JobResults key={job.jobId} job={job} />}
    </section>
  )
}
