import { useEffect, useRef } from 'preact/hooks'
import type { tts } from '../../../src/client/index.js'

/**
 * Asks before a saved voice is deleted. A native modal <dialog>: focus moves into it, Escape cancels,
 * and the page behind it is inert, with no focus-trapping code of our own.
 */
export function DeleteVoiceDialog({
  voice,
  busy,
  onConfirm,
  onCancel,
}: {
  voice: tts.ReturnVoice
  busy: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const d = dialog.current
    if (d && !d.open) d.showModal()
    return () => d?.close()
  }, [])
  return (
    <dialog
      ref={dialog}
      aria-labelledby="voice-delete-title"
      onCancel={(e) => {
        e.preventDefault()
        onCancel()
      }}
    >
      <h2 id="voice-delete-title">Delete voice “{voice.name}”?</h2>
      <p>Speech that names this voice will fail afterwards. This cannot be undone.</p>
      <div class="row">
        <button type="button" disabled={busy} onClick={onConfirm}>
          {busy ? 'Deleting…' : 'Delete'}
        </button>
        {/* The safe choice has the focus when the dialog opens: Enter must not delete. */}
        <button type="button" class="secondary" onClick={onCancel} autoFocus>
          Cancel
        </button>
      </div>
    </dialog>
  )
}
