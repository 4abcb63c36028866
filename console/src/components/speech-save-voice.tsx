import { useEffect, useRef, useState } from 'preact/hooks'
import { useClient } from '../api.js'
import { useAction } from '../hooks.js'
import { ErrorBanner } from './error-banner.js'

/** The API's own bound on a voice name (PostedVoice.name). */
const MAX_NAME = 256

/** "Save voice": asks a name, then keeps the generation's voice in the library (tts.voices.create). */
export function SaveVoice({ generationId, onSaved }: { generationId: string; onSaved: () => void }) {
  const client = useClient()
  const [open, setOpen] = useState(false)
  const [name, setName] = useState('')
  const [saved, setSaved] = useState<string>()
  const { busy, error, setError, run } = useAction()
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => {
    if (open) input.current?.focus()
  }, [open])

  if (saved) return <p role="status">Saved as voice “{saved}”.</p>
  if (!open)
    return (
      <button type="button" class="secondary" onClick={() => setOpen(true)}>
        Save voice
      </button>
    )
  const submit = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      const voice = await client.tts.voices.create({ generationId, name: name.trim() })
      setSaved(voice.name)
      onSaved()
    })
  }
  return (
    <form class="row" onSubmit={submit}>
      <label>
        Voice name
        <input ref={input} value={name} maxLength={MAX_NAME} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy || !name.trim()}>
        {busy ? 'Saving…' : 'Save'}
      </button>
      <button
        type="button"
        class="secondary"
        onClick={() => {
          setOpen(false)
          setError(null)
        }}
      >
        Cancel
      </button>
      <ErrorBanner error={error} />
    </form>
  )
}
