import type { FormProps } from './kinds.js'
import { CommonFields, DescriptionField } from './fields.js'
import { setIn } from './wire.js'

/** A prompt: its name (when new), the system prompt text, and the version's description. */
export function PromptForm({ value, onChange, mode }: FormProps) {
  return (
    <>
      <CommonFields value={value} onChange={onChange} mode={mode} />
      <label>
        Text
        <textarea
          value={typeof value.text === 'string' ? value.text : ''}
          // A prompt's text is required even when empty, so it stays a string.
          onInput={(e) => onChange(setIn(value, ['text'], e.currentTarget.value))}
        />
      </label>
      <DescriptionField value={value} onChange={onChange} />
    </>
  )
}
