import { useState } from 'preact/hooks'
import type { Kind } from './kinds.js'
import { formatTime, pretty, type Wire } from './wire.js'

interface Props {
  kind: Kind
  version: Wire
  onEdit: () => void
}

/** One version, read-only: the same form the editor uses (disabled), or the API's JSON as returned. */
export function VersionView({ kind, version, onEdit }: Props) {
  const [asJson, setAsJson] = useState(false)
  const Form = kind.Form
  const n = Number(version.version)
  const shown: Wire = {
    name: version.name,
    ...kind.toPosted(version),
    ...(version.version_description ? { version_description: version.version_description } : {}),
  }
  return (
    <section class="card" aria-labelledby="evi-version-heading">
      <div class="row spread">
        <h3 id="evi-version-heading">Version {n}</h3>
        <div class="row" role="group" aria-label="Show version as">
          <button type="button" class="secondary" aria-pressed={!asJson} onClick={() => setAsJson(false)}>
            Form view
          </button>
          <button type="button" class="secondary" aria-pressed={asJson} onClick={() => setAsJson(true)}>
            JSON view
          </button>
          <button type="button" onClick={onEdit}>
            Edit as new version
          </button>
        </div>
      </div>
      <p class="hint">
        Created {formatTime(Number(version.created_on))}, modified {formatTime(Number(version.modified_on))}
      </p>
      {asJson ? (
        <pre tabIndex={0} aria-label={`Version ${n} as JSON`}>
          {pretty(version)}
        </pre>
      ) : (
        <fieldset disabled class="plain" aria-label={`Version ${n}`}>
          <Form value={shown} onChange={() => undefined} mode="create" />
        </fieldset>
      )}
    </section>
  )
}
