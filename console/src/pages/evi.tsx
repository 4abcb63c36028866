import { useRef, useState } from 'preact/hooks'
import { kinds } from './evi/kinds.js'
import { ResourcePanel } from './evi/resource-panel.js'
import './evi/evi.css'

/** The EVI page: configs, prompts and tools, each listed, versioned, edited as a form or JSON, and diffed. */
export function EviPage() {
  const [active, setActive] = useState(0)
  const tabs = useRef<(HTMLButtonElement | null)[]>([])
  const kind = kinds[active] ?? kinds[0]

  // The WAI-ARIA tabs pattern: arrows move between tabs, and only the selected tab is in the tab order.
  const onKey = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0
    if (!step) return
    event.preventDefault()
    const next = (active + step + kinds.length) % kinds.length
    setActive(next)
    tabs.current[next]?.focus()
  }

  return (
    <>
      <div role="tablist" aria-label="EVI resources" class="tabs" onKeyDown={onKey}>
        {kinds.map((k, i) => (
          <button
            key={k.key}
            ref={(el) => {
              tabs.current[i] = el
            }}
            type="button"
            role="tab"
            id={`evi-tab-${k.key}`}
            aria-selected={i === active}
            aria-controls="evi-tabpanel"
            tabIndex={i === active ? 0 : -1}
            onClick={() => setActive(i)}
          >
            {k.title}
          </button>
        ))}
      </div>
      {kind && (
        <div role="tabpanel" id="evi-tabpanel" aria-labelledby={`evi-tab-${kind.key}`}>
          <ResourcePanel key={kind.key} kind={kind} />
        </div>
      )}
    </>
  )
}
