import { useCallback, useState } from 'preact/hooks'
import { useClient } from '../../api.js'
import { ErrorBanner } from '../../components/error-banner.js'
import { useAction } from '../../hooks.js'
import { Editor } from './editor.js'
import type { Kind } from './kinds.js'
import { usePaged } from './use-paged.js'
import { VersionDiff } from './version-diff.js'
import { VersionView } from './version-view.js'
import { formatTime, type Wire } from './wire.js'

interface Props {
  kind: Kind
  id: string
  name: string
  /** The listing changed (a new version or a deletion): the parent reloads it. */
  onChanged: () => void
  onDeleted: () => void
}

/** A selected prompt, tool or config: its versions, one version in detail, a new version, a diff, delete. */
export function ResourceDetail({ kind, id, name, onChanged, onDeleted }: Props) {
  const client = useClient()
  const load = useCallback((n: number) => kind.versions(client, id, n), [kind, client, id])
  const versions = usePaged(load)
  const [selected, setSelected] = useState<number | null>(null)
  const [editing, setEditing] = useState<Wire | null>(null)
  const [confirming, setConfirming] = useState(false)
  const removal = useAction()

  const latest = versions.items.reduce<Wire | undefined>(
    (best, v) => (best === undefined || Number(v.version) > Number(best.version) ? v : best),
    undefined,
  )
  const shown = versions.items.find((v) => Number(v.version) === selected) ?? latest

  const remove = () =>
    void removal.run(async () => {
      await kind.remove(client, id)
      onDeleted()
    })

  return (
    <section aria-labelledby="evi-detail-heading">
      <div class="row spread">
        <h2 id="evi-detail-heading">{name}</h2>
        <button type="button" class="secondary" onClick={() => setConfirming(true)} disabled={confirming}>
          Delete {kind.noun}
        </button>
      </div>
      {confirming && (
        <div class="banner confirm" role="group" aria-label="Confirm deletion">
          <span>
            Delete {kind.noun} “{name}” and all its versions? This cannot be undone.
          </span>
          <span class="row">
            <button type="button" onClick={remove} disabled={removal.busy}>
              Yes, delete
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </span>
        </div>
      )}
      <ErrorBanner error={removal.error ?? versions.error} />
      <table aria-label={`Versions of ${name}`}>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Description</th>
            <th scope="col">Modified</th>
          </tr>
        </thead>
        <tbody>
          {versions.items.map((v) => (
            <tr key={String(v.version)} aria-current={v === shown ? 'true' : undefined}>
              <td>
                <button type="button" class="link" onClick={() => setSelected(Number(v.version))}>
                  {`View version ${String(v.version)}`}
                </button>
              </td>
              <td>{String(v.version_description ?? '')}</td>
              <td>{formatTime(Number(v.modified_on))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!versions.loaded && <p>Loading…</p>}
      {versions.hasMore && (
        <button type="button" class="secondary" disabled={versions.busy} onClick={() => void versions.loadMore()}>
          {versions.busy ? 'Loading…' : 'Load more versions'}
        </button>
      )}
      {editing ? (
        <Editor
          kind={kind}
          target={{ id, name }}
          initial={editing}
          onCancel={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null)
            setSelected(Number(saved.version))
            void versions.reload()
            onChanged()
          }}
        />
      ) : (
        shown && <VersionView kind={kind} version={shown} onEdit={() => setEditing(kind.toPosted(shown))} />
      )}
      <VersionDiff key={versions.items.length} versions={versions.items} />
    </section>
  )
}
