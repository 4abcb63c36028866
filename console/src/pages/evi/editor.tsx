import { useState } from 'preact/hooks'
import { useClient } from '../../api.js'
import { ErrorBanner } from '../../components/error-banner.js'
import { useAction } from '../../hooks.js'
import type { Kind } from './kinds.js'
import { parseObject, pretty, type Wire } from './wire.js'

interface Props {
  kind: Kind
  /** Absent: a new resource; present: a new version of this one. */
  target?: { id: string; name: string }
  initial: Wire
  onSaved: (saved: Wire) => void
  onCancel: () => void
}

/** The create / new-version form, with a toggle to edit the raw request body as JSON instead. */
export function Editor({ kind, target, initial, onSaved, onCancel }: Props) {
  const client = useClient()
  const [body, setBody] = useState<Wire>(initial)
  const [json, setJson] = useState<string | null>(null)
  const { busy, error, setError, run } = useAction()
  const Form = kind.Form
  const title = target ? `New version of ${target.name}` : `New ${kind.noun}`

  const toggleJson = () => {
    if (json === null) return setJson(pretty(body))
    try {
      setBody(parseObject(json, 'The request body'))
      setJson(null)
      setError(null)
    } catch (e) {
      setError(e)
    }
  }

  const submit = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      const request = json === null ? body : parseObject(json, 'The request body')
      kind.validate(request)
      const saved = target ? await kind.createVersion(client, target.id, request) : await kind.create(client, request)
      onSaved(saved)
    })
  }

  return (
    <form class="card" onSubmit={submit} aria-label={title}>
      <div class="row spread">
        <h3>{title}</h3>
        <button type="button" class="secondary" aria-pressed={json !== null} onClick={toggleJson}>
          Edit as JSON
        </button>
      </div>
      {json === null ? (
        <Form value={body} onChange={setBody} mode={target ? 'version' : 'create'} />
      ) : (
        <label>
          Request body (JSON)
          <textarea class="code tall" spellcheck={false} value={json} onInput={(e) => setJson(e.currentTarget.value)} />
        </label>
      )}
      <ErrorBanner error={error} />
      <div class="row">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : target ? 'Save as new version' : `Create ${kind.noun}`}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
