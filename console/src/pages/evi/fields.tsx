import type { ComponentChildren } from 'preact'
import { useId } from 'preact/hooks'
import type { Wire } from './wire.js'
import { getIn, setIn } from './wire.js'

interface Bound {
  value: Wire
  onChange: (next: Wire) => void
  path: string[]
  label: string
}

/** A text input bound to one member of the body; emptied, the member is removed rather than sent as "". */
export function TextField({
  value,
  onChange,
  path,
  label,
  multiline,
  list,
}: Bound & { multiline?: boolean; list?: string }) {
  const current = getIn(value, path)
  const text = typeof current === 'string' ? current : ''
  const set = (e: { currentTarget: { value: string } }) =>
    onChange(setIn(value, path, e.currentTarget.value === '' ? undefined : e.currentTarget.value))
  return (
    <label>
      {label}
      {multiline ? (
        <textarea value={text} onInput={set} />
      ) : (
        <input type="text" list={list} value={text} onInput={set} />
      )}
    </label>
  )
}

/** The name a new resource is created with, and the description every new version may carry. */
export function CommonFields({ value, onChange, mode }: { value: Wire; onChange: (w: Wire) => void; mode: string }) {
  return mode === 'create' ? <TextField value={value} onChange={onChange} path={['name']} label="Name" /> : null
}

export function DescriptionField({ value, onChange }: { value: Wire; onChange: (w: Wire) => void }) {
  return <TextField value={value} onChange={onChange} path={['version_description']} label="Version description" />
}

interface SelectProps {
  label: string
  value: string
  onChange: (value: string) => void
  disabled?: boolean
  children: ComponentChildren
}

/**
 * A select with a separate `<label for>`: a label wrapping a select would take the selected option's text
 * into the accessible name ("Prompt (none)"), so the control's name would change with its value.
 */
export function SelectField({ label, value, onChange, disabled, children }: SelectProps) {
  const id = useId()
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.currentTarget.value)}>
        {children}
      </select>
    </div>
  )
}
