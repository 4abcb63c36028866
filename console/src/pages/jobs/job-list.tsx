import type { expressionMeasurement as E } from '../../../../src/client/index.js'

export const when = (ms: number | undefined) => (ms === undefined ? '—' : new Date(ms).toLocaleString())

export function inputsOf(job: E.UnionJob): string {
  const { text, urls, files } = job.request
  const parts = [
    text.length && `${text.length} text${text.length > 1 ? 's' : ''}`,
    urls.length && `${urls.length} URL${urls.length > 1 ? 's' : ''}`,
    files.length && `${files.length} file${files.length > 1 ? 's' : ''}`,
  ].filter(Boolean)
  return parts.join(', ') || 'none'
}

export const modelsOf = (job: E.UnionJob) => Object.keys(job.request.models).join(', ')

export function StatusText({ status }: { status: string }) {
  return <span class={`status-${status}`}>{status}</span>
}

/** The newest jobs, one row each; "Open" shows a job's details and results below. */
export function JobList({
  jobs,
  selected,
  onOpen,
}: {
  jobs: E.UnionJob[]
  selected: string | null
  onOpen: (jobId: string) => void
}) {
  if (jobs.length === 0) return <p class="hint">No jobs yet.</p>
  return (
    <div class="table-scroll">
      <table>
        <caption>Newest first</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Inputs</th>
            <th scope="col">Models</th>
            <th scope="col">Predictions</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.jobId} class={job.jobId === selected ? 'selected' : undefined}>
              <td>
                <code title={job.jobId}>{job.jobId.slice(0, 8)}</code>
              </td>
              <td>
                <StatusText status={job.state.status} />
              </td>
              <td>{when(job.state.createdTimestampMs)}</td>
              <td>{inputsOf(job)}</td>
              <td>{modelsOf(job)}</td>
              <td>{job.state.numPredictions ?? '—'}</td>
              <td>
                <button
                  type="button"
                  class="link"
                  aria-label={`Open job ${job.jobId}`}
                  aria-pressed={job.jobId === selected}
                  onClick={() => onOpen(job.jobId)}
                >
                  Open
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
