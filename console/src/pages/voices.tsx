import { useState } from 'preact/hooks'
import type { tts } from '../../../src/client/index.js'
import { decodeBase64 } from '../../../src/client/index.js'
import { useClient } from '../api.js'
import { ErrorBanner } from '../components/error-banner.js'
import { DeleteVoiceDialog } from '../components/voice-delete-dialog.js'
import { useVoices } from '../components/voice-library.js'
import { PreviewPlayer, type Preview } from '../components/voice-preview.js'
import { useAction } from '../hooks.js'
import '../components/speech.css'

const DEFAULT_LINE = 'Hello! This is how I sound.'

/** The Voices page: the saved library (or the presets), a spoken preview of each, and delete. */
export function VoicesPage() {
  const client = useClient()
  const [provider, setProvider] = useState<tts.VoiceProvider>('CUSTOM_VOICE')
  const { voices, error: listError, reload } = useVoices(provider)
  const [line, setLine] = useState(DEFAULT_LINE)
  const [preview, setPreview] = useState<Preview>()
  const [previewing, setPreviewing] = useState<string>()
  const [deleting, setDeleting] = useState<tts.ReturnVoice>()
  const [notice, setNotice] = useState('')
  const action = useAction()

  const previewVoice = (voice: tts.ReturnVoice) => {
    setPreviewing(voice.id)
    setNotice('')
    void action
      .run(async () => {
        const res = await client.tts.synthesizeJson({
          utterances: [{ text: line, voice: { id: voice.id, provider: voice.provider } }],
          format: { type: 'mp3' },
        })
        const generation = res.generations[0]
        if (generation) setPreview({ voice, bytes: decodeBase64(generation.audio), duration: generation.duration })
      })
      .finally(() => setPreviewing(undefined))
  }
  const confirmDelete = (voice: tts.ReturnVoice) => {
    void action.run(async () => {
      try {
        await client.tts.voices.delete({ name: voice.name })
        setNotice(`Deleted “${voice.name}”.`)
        if (preview?.voice.id === voice.id) setPreview(undefined)
        reload()
      } finally {
        setDeleting(undefined)
      }
    })
  }

  const custom = provider === 'CUSTOM_VOICE'
  return (
    <div class="voice-library">
      <fieldset>
        <legend class="hint">Library</legend>
        {(['CUSTOM_VOICE', 'HUME_AI'] as const).map((p) => (
          <label key={p}>
            <input type="radio" name="voice-provider" checked={provider === p} onChange={() => setProvider(p)} />
            {p === 'CUSTOM_VOICE' ? 'Saved voices' : 'Presets'}
          </label>
        ))}
      </fieldset>
      <label>
        Preview text
        <input value={line} maxLength={5000} onInput={(e) => setLine(e.currentTarget.value)} />
      </label>
      <ErrorBanner error={listError ?? action.error} />
      <p role="status" class="hint">
        {notice}
      </p>
      {voices === undefined && !listError && <p>Loading…</p>}
      {voices?.length === 0 && (
        <p>{custom ? 'No saved voices yet: save one from a generation on the Speech page.' : 'No presets.'}</p>
      )}
      {voices && voices.length > 0 && (
        <table aria-label={custom ? 'Saved voices' : 'Presets'}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">ID</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {voices.map((v) => (
              <tr key={v.id}>
                <td>{v.name}</td>
                <td>
                  <code>{v.id}</code>
                </td>
                <td>
                  <div class="row">
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Preview ${v.name}`}
                      disabled={previewing !== undefined || !line.trim()}
                      onClick={() => previewVoice(v)}
                    >
                      {previewing === v.id ? 'Loading…' : 'Preview'}
                    </button>
                    {custom && (
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Delete ${v.name}`}
                        onClick={() => setDeleting(v)}
                      >
                        Delete
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {preview && <PreviewPlayer key={preview.voice.id + preview.bytes.length} preview={preview} />}
      {deleting && (
        <DeleteVoiceDialog
          voice={deleting}
          busy={action.busy}
          onConfirm={() => confirmDelete(deleting)}
          onCancel={() => setDeleting(undefined)}
        />
      )}
    </div>
  )
}
