import type { FormProps } from './kinds.js'
import { CommonFields, DescriptionField, TextField } from './fields.js'
import { setIn } from './wire.js'

/** A function tool: what it does, the JSON Schema of its arguments (a string), and what to say if it fails. */
export function ToolForm({ value, onChange, mode }: FormProps) {
  return (
    <>
      <CommonFields value={value} onChange={onChange} mode={mode} />
      <TextField value={value} onChange={onChange} path={['description']} label="Description" />
      <label>
        Parameters (JSON Schema)
        <textarea
          class="code"
          spellcheck={false}
          value={typeof value.parameters === 'string' ? value.parameters : ''}
          onInput={(e) => onChange(setIn(value, ['parameters'], e.currentTarget.value))}
        />
      </label>
      <TextField value={value} onChange={onChange} path={['fallback_content']} label="Fallback content" />
      <DescriptionField value={value} onChange={onChange} />
    </>
  )
}
