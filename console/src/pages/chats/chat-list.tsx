import type { empathicVoice as V } from '../../../../src/client/index.js'

export const when = (ms: number | null | undefined) => (ms == null ? '—' : new Date(ms).toLocaleString())

export function duration(chat: V.ReturnChat): string {
  if (chat.endTimestamp == null) return 'running'
  return `${Math.max(0, (chat.endTimestamp - chat.startTimestamp) / 1000).toFixed(1)} s`
}

export const configOf = (chat: V.ReturnChat) =>
  chat.config
    ? `${chat.config.id.slice(0, 8)}${chat.config.version !== undefined ? ` v${chat.config.version}` : ''}`
    : '—'

/** The chat history, newest first: one row per chat, "Open" shows its events and audio below. */
export function ChatList({
  chats,
  selected,
  onOpen,
}: {
  chats: V.ReturnChat[]
  selected: string | null
  onOpen: (chat: V.ReturnChat) => void
}) {
  if (chats.length === 0) return <p class="hint">No chats yet: talk to a config on the Chat page.</p>
  return (
    <div class="table-scroll">
      <table>
        <caption>Your chats, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col">Events</th>
            <th scope="col">Config</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {chats.map((chat) => (
            <tr key={chat.id} class={chat.id === selected ? 'selected' : undefined}>
              <td>{when(chat.startTimestamp)}</td>
              <td>{chat.status}</td>
              <td>{duration(chat)}</td>
              <td>{chat.eventCount}</td>
              <td>{configOf(chat)}</td>
              <td>
                <button
                  type="button"
                  class="link"
                  aria-label={`Open chat ${chat.id}`}
                  aria-pressed={chat.id === selected}
                  onClick={() => onOpen(chat)}
                >
                  Open
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
