import { useCallback, useEffect, useState } from 'preact/hooks'
import type { empathicVoice as V } from '../../../../src/client/index.js'
import { useClient } from '../../api.js'
import { ErrorBanner } from '../../components/error-banner.js'
import { useAction } from '../../hooks.js'

/** How often a reconstruction being made is asked about again. */
const AUDIO_POLL_MS = 2000

/**
 * The chat's reconstructed audio: its status, and once COMPLETE a player on the signed URL (which needs no
 * key, so a plain <audio> can fetch it). While it is being made the status is polled; "Refresh" also gets a
 * fresh URL once an old one has expired.
 */
export function ChatAudio({ chatId, active }: { chatId: string; active: boolean }) {
  const chats = useClient().empathicVoice.chats
  const [audio, setAudio] = useState<V.ReturnChatAudioReconstruction | null>(null)
  const { busy, error, run } = useAction()

  const refresh = useCallback(() => void run(async () => setAudio(await chats.getAudio(chatId))), [chats, chatId, run])
  useEffect(refresh, [refresh])

  // A running chat reports QUEUED until it ends: polling it would go on for as long as the chat does.
  const making = !active && (audio?.status === 'QUEUED' || audio?.status === 'IN_PROGRESS')
  useEffect(() => {
    if (!making) return
    const timer = setTimeout(refresh, AUDIO_POLL_MS)
    return () => clearTimeout(timer)
  }, [making, audio, refresh])

  const url = audio?.status === 'COMPLETE' ? audio.signedAudioUrl : null
  return (
    <section aria-label="Chat audio">
      <h3>Audio</h3>
      <div class="row audio-status">
        <p role="status">
          {audio === null
            ? 'Loading…'
            : active
              ? 'The chat is still running: its audio is made when it ends.'
              : `Reconstruction: ${audio.status}`}
        </p>
        <button type="button" class="secondary" disabled={busy} onClick={refresh}>
          Refresh
        </button>
      </div>
      {url && (
        <audio controls preload="metadata" src={url} aria-label="Chat recording">
          <a href={url}>Download the recording</a>
        </audio>
      )}
      <ErrorBanner error={error} />
    </section>
  )
}
