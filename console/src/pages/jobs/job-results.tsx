import { useEffect, useMemo, useState } from 'preact/hooks'
import type { expressionMeasurement as E } from '../../../../src/client/index.js'
import { toSnake } from '../../../../src/client/core/casing.js'
import { predictionsCsv } from '../../../../src/cli/csv.js'
import { useClient } from '../../api.js'
import { ErrorBanner } from '../../components/error-banner.js'
import { useAction } from '../../hooks.js'
import { saveBlob } from './download.js'
import { EmotionChart } from './emotion-chart.js'
import { PredictionTable } from './prediction-table.js'
import { chartsFor, languageUnit, type AnyPrediction } from './series.js'

/** A source's heading: its URL or file name; inline texts have neither, so they are numbered. */
function sourceNames(results: readonly E.UnionPredictResult[]): string[] {
  let texts = 0
  return results.map(({ source }) => source.url ?? source.filename ?? `Text ${++texts}`)
}

function FileResults({
  prediction,
  unit,
  heading,
}: {
  prediction: E.InferencePrediction
  unit: string
  heading: boolean
}) {
  const charts = useMemo(() => chartsFor(prediction, unit), [prediction, unit])
  const models = Object.entries(prediction.models).flatMap(([model, output]) =>
    (output?.groupedPredictions ?? []).map((g) => ({ model, id: g.id, predictions: g.predictions as AnyPrediction[] })),
  )
  return (
    <div>
      {heading && (
        <h4>
          {prediction.file} <span class="hint">({prediction.fileType})</span>
        </h4>
      )}
      {charts.length === 0 && <p class="hint">No predictions in this file.</p>}
      {charts.map((spec) => (
        <EmotionChart key={spec.key} spec={spec} />
      ))}
      {models.map((m) => (
        <PredictionTable
          key={`${m.model}/${m.id}`}
          file={prediction.file}
          model={m.model}
          predictions={m.predictions}
        />
      ))}
    </div>
  )
}

/** A completed job's predictions per source and file, with the downloads. */
export function JobResults({ job }: { job: E.UnionJob }) {
  const client = useClient()
  const batch = client.expressionMeasurement.batch
  const [results, setResults] = useState<E.UnionPredictResult[] | null>(null)
  const load = useAction()
  const download = useAction()
  const { jobId } = job

  useEffect(() => {
    let live = true
    void load.run(async () => {
      const r = await batch.getJobPredictions(jobId)
      if (live) setResults(r)
    })
    return () => {
      live = false
    }
  }, [batch, jobId, load.run])

  const csv = () => saveBlob(new Blob([predictionsCsv(results ?? [])], { type: 'text/csv' }), `job-${jobId}.csv`)
  // The API's own JSON (snake_case), as GET /v0/batch/jobs/{id}/predictions sends it, not the client's casing.
  const json = () =>
    saveBlob(
      new Blob([JSON.stringify(toSnake(results ?? []), null, 2)], { type: 'application/json' }),
      `job-${jobId}.json`,
    )
  const artifacts = () =>
    void download.run(async () => {
      const zip = await batch.getJobArtifacts(jobId)
      saveBlob(await zip.blob(), `job-${jobId}-artifacts.zip`)
    })

  const unit = languageUnit(job)
  const names = sourceNames(results ?? [])
  return (
    <section aria-label="Results">
      <h3>Results</h3>
      <div class="row">
        <button type="button" class="secondary" disabled={!results} onClick={csv}>
          Download CSV
        </button>
        <button type="button" class="secondary" disabled={!results} onClick={json}>
          Download JSON
        </button>
        <button type="button" class="secondary" disabled={download.busy} onClick={artifacts}>
          {download.busy ? 'Downloading…' : 'Download artifacts'}
        </button>
      </div>
      <ErrorBanner error={load.error ?? download.error} />
      {load.busy && <p>Loading…</p>}
      {results?.map((source, i) => (
        <div class="card" key={i}>
          <h3>{names[i]}</h3>
          {source.error && <p class="banner error">{source.error}</p>}
          {source.results.errors.map((e, j) => (
            <p class="banner error" key={j}>
              {e.file}: {e.message}
            </p>
          ))}
          {source.results.predictions.map((p, j) => (
            // An archive holds several files: each is named; a lone file is its source, already named.
            <FileResults key={j} prediction={p} unit={unit} heading={source.results.predictions.length > 1} />
          ))}
        </div>
      ))}
    </section>
  )
}
