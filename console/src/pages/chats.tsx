import { useCallback, useState } from 'preact/hooks'
import type { empathicVoice as V } from '../../../src/client/index.js'
import { useClient } from '../api.js'
import { ErrorBanner } from '../components/error-banner.js'
import { ChatAudio } from './chats/chat-audio.js'
import { ChatEvents } from './chats/chat-events.js'
import { ChatList, configOf, duration, when } from './chats/chat-list.js'
import { usePaged } from './chats/use-paged.js'
import './jobs/jobs.css'

/** Chats listed per page ("Load more chats" for older ones). */
export const CHATS_PAGE_SIZE = 20

function ChatDetails({ chat }: { chat: V.ReturnChat }) {
  return (
    <section class="card" aria-label="Chat details">
      <h2>Chat {chat.id.slice(0, 8)}</h2>
      <dl class="facts">
        <dt>ID</dt>
        <dd>
          <code>{chat.id}</code>
        </dd>
        <dt>Chat group</dt>
        <dd>
          <code>{chat.chatGroupId}</code>
        </dd>
        <dt>Status</dt>
        <dd>{chat.status}</dd>
        <dt>Started</dt>
        <dd>{when(chat.startTimestamp)}</dd>
        <dt>Ended</dt>
        <dd>{when(chat.endTimestamp)}</dd>
        <dt>Duration</dt>
        <dd>{duration(chat)}</dd>
        <dt>Config</dt>
        <dd>{configOf(chat)}</dd>
        {chat.metadata && (
          <>
            <dt>Metadata</dt>
            <dd>
              <code>{chat.metadata}</code>
            </dd>
          </>
        )}
      </dl>
      <ChatAudio chatId={chat.id} active={chat.status === 'ACTIVE'} />
      <ChatEvents chat={chat} />
    </section>
  )
}

/** The Chats page: the chat history, a chat's events with their emotions, and its recorded audio. */
export function ChatsPage() {
  const chats = useClient().empathicVoice.chats
  const first = useCallback(() => chats.listChats({ pageSize: CHATS_PAGE_SIZE, ascendingOrder: false }), [chats])
  const { items, busy, error, setError, hasMore, more } = usePaged(first)
  const [selected, setSelected] = useState<V.ReturnChat | null>(null)
  return (
    <>
      <section aria-label="Chat list">
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        {items === null ? (
          busy && <p>Loading…</p>
        ) : (
          <ChatList chats={items} selected={selected?.id ?? null} onOpen={setSelected} />
        )}
        {hasMore && (
          <button type="button" class="secondary" disabled={busy} onClick={more}>
            {busy ? 'Loading…' : 'Load more chats'}
          </button>
        )}
      </section>
      {selected && <ChatDetails key={selected.id} chat={selected} />}
    </>
  )
}
