import { useCallback, useState } from 'preact/hooks'
import { useClient } from '../../api.js'
import { ErrorBanner } from '../../components/error-banner.js'
import { Editor } from './editor.js'
import type { Kind } from './kinds.js'
import { ResourceDetail } from './resource-detail.js'
import { usePaged } from './use-paged.js'
import { formatTime } from './wire.js'

/** One tab: the list of prompts, tools or configs (latest versions), a create form, and the selected one. */
export function ResourcePanel({ kind }: { kind: Kind }) {
  const client = useClient()
  const load = useCallback((n: number) => kind.list(client, n), [kind, client])
  const list = usePaged(load)
  const [selected, setSelected] = useState<{ id: string; name: string } | null>(null)
  const [creating, setCreating] = useState(false)

  return (
    <div class="evi-panel">
      <section aria-label={`${kind.title} list`}>
        <div class="row spread">
          <h2>{kind.title}</h2>
          <button type="button" onClick={() => setCreating(true)} disabled={creating}>
            New {kind.noun}
          </button>
        </div>
        <ErrorBanner error={list.error} />
        {list.loaded && list.items.length === 0 ? (
          <p class="hint">No {kind.noun}s yet.</p>
        ) : (
          <table aria-label={kind.title}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Latest version</th>
                <th scope="col">Modified</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((item) => (
                <tr key={String(item.id)} aria-current={selected?.id === item.id ? 'true' : undefined}>
                  <td>
                    <button
                      type="button"
                      class="link"
                      aria-pressed={selected?.id === item.id}
                      onClick={() => {
                        setCreating(false)
                        setSelected({ id: String(item.id), name: String(item.name) })
                      }}
                    >
                      {String(item.name)}
                    </button>
                  </td>
                  <td>{`v${String(item.version)}`}</td>
                  <td>{formatTime(Number(item.modified_on))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {!list.loaded && <p>Loading…</p>}
        {list.hasMore && (
          <button type="button" class="secondary" disabled={list.busy} onClick={() => void list.loadMore()}>
            {list.busy ? 'Loading…' : 'Load more'}
          </button>
        )}
      </section>
      <div>
        {creating && (
          <Editor
            kind={kind}
            initial={kind.blank()}
            onCancel={() => setCreating(false)}
            onSaved={(saved) => {
              setCreating(false)
              setSelected({ id: String(saved.id), name: String(saved.name) })
              void list.reload()
            }}
          />
        )}
        {selected && !creating && (
          <ResourceDetail
            key={selected.id}
            kind={kind}
            id={selected.id}
            name={selected.name}
            onChanged={() => void list.reload()}
            onDeleted={() => {
              setSelected(null)
              void list.reload()
            }}
          />
        )}
      </div>
    </div>
  )
}
