import { getIn, setIn, type Wire } from './wire.js'

const MESSAGES = [
  ['on_new_chat', 'New chat message'],
  ['on_inactivity_timeout', 'Inactivity timeout message'],
  ['on_max_duration_timeout', 'Max duration timeout message'],
] as const
const TIMEOUTS = [
  ['inactivity', 'Inactivity timeout'],
  ['max_duration', 'Max duration timeout'],
] as const

interface Props {
  value: Wire
  onChange: (next: Wire) => void
}

/** The optional sections: what EVI says on a new chat or a timeout, and the timeouts themselves. */
export function ConfigEvents({ value, onChange }: Props) {
  const flag = (path: string[]) => getIn(value, path) === true
  return (
    <details>
      <summary>Event messages and timeouts</summary>
      {MESSAGES.map(([key, label]) => {
        const text = getIn(value, ['event_messages', key, 'text'])
        return (
          <div class="row" key={key}>
            <label class="inline">
              <input
                type="checkbox"
                checked={flag(['event_messages', key, 'enabled'])}
                onChange={(e) => onChange(setIn(value, ['event_messages', key, 'enabled'], e.currentTarget.checked))}
              />
              {label}
            </label>
            <label>
              {`${label} text`}
              <input
                type="text"
                value={typeof text === 'string' ? text : ''}
                onInput={(e) => {
                  let next = setIn(value, ['event_messages', key, 'text'], e.currentTarget.value || undefined)
                  // The API requires `enabled` beside the text; typing a message means wanting it.
                  if (getIn(next, ['event_messages', key, 'enabled']) === undefined)
                    next = setIn(next, ['event_messages', key, 'enabled'], true)
                  onChange(next)
                }}
              />
            </label>
          </div>
        )
      })}
      {TIMEOUTS.map(([key, label]) => {
        const secs = getIn(value, ['timeouts', key, 'duration_secs'])
        return (
          <div class="row" key={key}>
            <label class="inline">
              <input
                type="checkbox"
                checked={flag(['timeouts', key, 'enabled'])}
                onChange={(e) => onChange(setIn(value, ['timeouts', key, 'enabled'], e.currentTarget.checked))}
              />
              {label}
            </label>
            <label>
              {`${label} (seconds, 30 to 1800)`}
              <input
                type="number"
                min={30}
                max={1800}
                value={typeof secs === 'number' ? secs : ''}
                onInput={(e) => {
                  const n = e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value)
                  let next = setIn(value, ['timeouts', key, 'duration_secs'], n)
                  if (getIn(next, ['timeouts', key, 'enabled']) === undefined)
                    next = setIn(next, ['timeouts', key, 'enabled'], true)
                  onChange(next)
                }}
              />
            </label>
          </div>
        )
      })}
    </details>
  )
}
