import { ErrorBanner } from '../../components/error-banner.js'
import { LANGUAGE_MODELS, MODEL_PROVIDERS } from '../../../../src/domains/evi/config-enums.js'
import { ConfigEvents } from './config-events.js'
import { CommonFields, DescriptionField, SelectField, TextField } from './fields.js'
import type { FormProps } from './kinds.js'
import { usePickerOptions, type VoiceOption } from './pickers.js'
import { getIn, setIn, type Wire } from './wire.js'

const EVI_VERSIONS = ['3', '4-mini']

const voiceKey = (v: { name?: unknown; provider?: unknown }) => `${String(v.provider ?? 'HUME_AI')}:${String(v.name)}`

/**
 * A config's main fields. Everything the form has no field for (tools, webhooks, turn detection…) stays in
 * the body untouched, so editing a version keeps it; the JSON view edits those.
 */
export function ConfigForm({ value, onChange, mode }: FormProps) {
  const { options, error } = usePickerOptions()
  const loading = options === null
  const prompt = (value.prompt as Wire | undefined) ?? {}
  const voice = value.voice as Wire | undefined
  const voices: VoiceOption[] = options?.voices ?? []
  const voiceInList = !voice || voices.some((v) => voiceKey(v) === voiceKey(voice))
  const promptInList = !prompt.id || options?.prompts.some((p) => p.id === prompt.id)
  const version = String(value.evi_version ?? '')

  const pickVoice = (key: string) => {
    const found = voices.find((v) => voiceKey(v) === key)
    onChange(setIn(value, ['voice'], found ? { name: found.name, provider: found.provider } : undefined))
  }
  const pickPrompt = (id: string) => onChange(setIn(value, ['prompt'], id ? { id } : undefined))
  const promptVersion = getIn(value, ['prompt', 'version'])
  const temperature = getIn(value, ['language_model', 'temperature'])

  return (
    <>
      <CommonFields value={value} onChange={onChange} mode={mode} />
      <ErrorBanner error={error} />
      <div class="row">
        <SelectField label="EVI version" value={version} onChange={(v) => onChange(setIn(value, ['evi_version'], v))}>
          {[...new Set([...EVI_VERSIONS, version])].filter(Boolean).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </SelectField>
        <SelectField label="Prompt" value={String(prompt.id ?? '')} disabled={loading} onChange={pickPrompt}>
          <option value="">{loading ? 'Loading…' : '(none)'}</option>
          {!promptInList && <option value={String(prompt.id)}>{String(prompt.id)}</option>}
          {options?.prompts.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} (latest v{p.version})
            </option>
          ))}
        </SelectField>
        <label>
          Prompt version
          <input
            type="number"
            min={0}
            placeholder="latest"
            disabled={!prompt.id}
            value={typeof promptVersion === 'number' ? promptVersion : ''}
            onInput={(e) => {
              const n = e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value)
              onChange(setIn(value, ['prompt', 'version'], n))
            }}
          />
        </label>
        <SelectField label="Voice" value={voice ? voiceKey(voice) : ''} disabled={loading} onChange={pickVoice}>
          <option value="">{loading ? 'Loading…' : '(none)'}</option>
          {!voiceInList && voice && <option value={voiceKey(voice)}>{String(voice.name)}</option>}
          <optgroup label="Presets">
            {voices
              .filter((v) => v.provider === 'HUME_AI')
              .map((v) => (
                <option key={voiceKey(v)} value={voiceKey(v)}>
                  {v.name}
                </option>
              ))}
          </optgroup>
          <optgroup label="Your voices">
            {voices
              .filter((v) => v.provider === 'CUSTOM_VOICE')
              .map((v) => (
                <option key={voiceKey(v)} value={voiceKey(v)}>
                  {v.name}
                </option>
              ))}
          </optgroup>
        </SelectField>
      </div>
      <fieldset>
        <legend>Language model</legend>
        <div class="row">
          <SelectField
            label="Provider"
            value={String(getIn(value, ['language_model', 'model_provider']) ?? '')}
            onChange={(v) => onChange(setIn(value, ['language_model', 'model_provider'], v || undefined))}
          >
            <option value="">(server default)</option>
            {MODEL_PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </SelectField>
          <TextField
            value={value}
            onChange={onChange}
            path={['language_model', 'model_resource']}
            label="Model"
            list="evi-language-models"
          />
          <label>
            Temperature
            <input
              type="number"
              min={0}
              max={1}
              step={0.1}
              value={typeof temperature === 'number' ? temperature : ''}
              onInput={(e) => {
                const t = e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value)
                onChange(setIn(value, ['language_model', 'temperature'], t))
              }}
            />
          </label>
        </div>
        <datalist id="evi-language-models">
          {LANGUAGE_MODELS.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </fieldset>
      <ConfigEvents value={value} onChange={onChange} />
      <DescriptionField value={value} onChange={onChange} />
    </>
  )
}
