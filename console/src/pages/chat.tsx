import { useState } from 'preact/hooks'
import { ErrorBanner } from '../components/error-banner.js'
import { Composer } from './chat/composer.js'
import { ConfigPicker } from './chat/config-picker.js'
import { TranscriptView } from './chat/transcript-view.js'
import { useLiveChat, type ChatStatus } from './chat/use-live-chat.js'
import './chat/chat.css'

const STATUS_TEXT: Record<ChatStatus, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  live: 'Live',
  ended: 'Chat ended',
}

/** The Chat page: talk to an EVI config with the microphone (or by text), hear it answer, answer its tools. */
export function ChatPage() {
  const chat = useLiveChat()
  const [configId, setConfigId] = useState('')
  const [useMicrophone, setUseMicrophone] = useState(true)
  const live = chat.status === 'live'
  const busy = chat.status === 'connecting'
  return (
    <>
      <section class="card" aria-label="Chat controls">
        <div class="row">
          <ConfigPicker value={configId} onChange={setConfigId} disabled={live || busy} />
          <label class="chat-check">
            <input
              type="checkbox"
              checked={useMicrophone}
              disabled={live || busy}
              onChange={(e) => setUseMicrophone(e.currentTarget.checked)}
            />
            Use microphone
          </label>
          {live || busy ? (
            <button type="button" onClick={chat.end}>
              End chat
            </button>
          ) : (
            <button
              type="button"
              onClick={() => void chat.start({ ...(configId ? { configId } : {}), microphone: useMicrophone })}
            >
              Start chat
            </button>
          )}
          {chat.microphone && (
            <button
              type="button"
              class="secondary"
              aria-pressed={chat.muted}
              onClick={() => chat.setMuted(!chat.muted)}
            >
              Mute microphone
            </button>
          )}
        </div>
        <p role="status" class="chat-status">
          {STATUS_TEXT[chat.status]}
          {chat.status === 'ended' && chat.endedReason && `: ${chat.endedReason}`}
          {live && (chat.microphone ? (chat.muted ? ' · microphone muted' : ' · listening') : ' · text only')}
          {chat.playing && ' · assistant speaking'}
          {chat.chatId && (
            <>
              {' · chat '}
              <code>{chat.chatId}</code>
            </>
          )}
        </p>
        <p class="hint">
          Audio chunks played: <output aria-label="Audio chunks played">{chat.audioChunks}</output>. Speak over the
          assistant to interrupt it.
        </p>
      </section>
      <ErrorBanner error={chat.error} onDismiss={chat.dismissError} />
      <TranscriptView entries={chat.transcript.entries} onAnswer={chat.answerTool} canAnswer={live} />
      <Composer onSend={chat.sendText} disabled={!live} />
    </>
  )
}
