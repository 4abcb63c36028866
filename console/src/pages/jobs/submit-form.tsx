import { useState } from 'preact/hooks'
import type { expressionMeasurement as E } from '../../../../src/client/index.js'
import { useClient } from '../../api.js'
import { ErrorBanner } from '../../components/error-banner.js'
import { useAction } from '../../hooks.js'

const MODELS = [
  { key: 'language', label: 'Language', hint: 'emotions in text and transcripts' },
  { key: 'prosody', label: 'Prosody', hint: 'tone of voice in audio and video' },
  { key: 'face', label: 'Face', hint: 'facial expressions in images and video' },
  { key: 'ner', label: 'Named entities', hint: 'people, places and things in text' },
  { key: 'burst', label: 'Vocal burst', hint: 'accepted; this server has no open model, each file reports that' },
] as const
type ModelKey = (typeof MODELS)[number]['key']

const GRANULARITIES = ['word', 'sentence', 'utterance', 'conversational_turn'] as const

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)

/** Text, files or URLs with the models to run: starts one job and hands its id up. */
export function SubmitForm({ onStarted }: { onStarted: (jobId: string) => void }) {
  const client = useClient()
  const [text, setText] = useState('')
  const [urls, setUrls] = useState('')
  const [files, setFiles] = useState<File[]>([])
  const [models, setModels] = useState<Set<ModelKey>>(new Set(['language']))
  const [granularity, setGranularity] = useState<(typeof GRANULARITIES)[number]>('word')
  const { busy, error, setError, run } = useAction()

  const toggle = (key: ModelKey, on: boolean) => {
    const next = new Set(models)
    if (on) next.add(key)
    else next.delete(key)
    setModels(next)
  }

  const submit = (event: Event) => {
    event.preventDefault()
    const texts = lines(text)
    const links = lines(urls)
    // Checked here, not left to the server: with no models it would run all of them, not none.
    if (models.size === 0) return setError(new Error('Choose at least one model.'))
    if (texts.length + links.length + files.length === 0)
      return setError(new Error('Give at least one text, file or URL.'))
    const chosen: E.Models = {}
    for (const m of models) chosen[m] = m === 'language' ? { granularity } : {}
    const request: E.InferenceBaseRequest = { models: chosen }
    if (texts.length) request.text = texts
    if (links.length) request.urls = links
    void run(async () => {
      const batch = client.expressionMeasurement.batch
      const job = files.length
        ? await batch.startInferenceJobFromLocalFile({ file: files, json: request })
        : await batch.startInferenceJob(request)
      onStarted(job.jobId)
    })
  }

  return (
    <form class="card" onSubmit={submit} aria-label="New job">
      <h2>New job</h2>
      <label>
        Texts (one per line)
        <textarea value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <label>
        Files
        <input type="file" multiple onChange={(e) => setFiles([...(e.currentTarget.files ?? [])])} />
      </label>
      <label>
        URLs (one per line)
        <textarea value={urls} rows={2} onInput={(e) => setUrls(e.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>Models</legend>
        {MODELS.map((m) => (
          <div class="check" key={m.key}>
            <label>
              <input
                type="checkbox"
                checked={models.has(m.key)}
                aria-describedby={`model-hint-${m.key}`}
                onChange={(e) => toggle(m.key, e.currentTarget.checked)}
              />
              {m.label}
            </label>
            <span class="hint" id={`model-hint-${m.key}`}>
              {m.hint}
            </span>
          </div>
        ))}
        <label>
          Language granularity
          <select
            value={granularity}
            disabled={!models.has('language')}
            onChange={(e) => setGranularity(e.currentTarget.value as (typeof GRANULARITIES)[number])}
          >
            {GRANULARITIES.map((g) => (
              <option key={g} value={g}>
                {g.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <button type="submit" disabled={busy}>
        {busy ? 'Submitting…' : 'Submit job'}
      </button>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
    </form>
  )
}
