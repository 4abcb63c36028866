import { useCallback } from 'preact/hooks'
import type { empathicVoice as V } from '../../../../src/client/index.js'
import { useClient } from '../../api.js'
import { ErrorBanner } from '../../components/error-banner.js'
import { usePaged } from './use-paged.js'

/** Events fetched per page ("Load more" for the next). */
export const EVENTS_PAGE_SIZE = 100

/**
 * The top scores of an event's `emotion_features`: a JSON object of emotion → score (user messages carry
 * the prosody of what was said). Empty for "" or anything else that is not such an object.
 */
export function topFeatures(features: string, n = 3): { name: string; score: number }[] {
  if (!features) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(features)
  } catch {
    return []
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return []
  return Object.entries(parsed)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, score]) => ({ name, score }))
}

/** A chat's events in order, with each one's offset from the chat's start and its top emotions. */
export function ChatEvents({ chat }: { chat: V.ReturnChat }) {
  const chats = useClient().empathicVoice.chats
  const first = useCallback(
    () => chats.listChatEvents(chat.id, { pageSize: EVENTS_PAGE_SIZE, ascendingOrder: true }),
    [chats, chat.id],
  )
  const { items, busy, error, hasMore, more } = usePaged(first)
  return (
    <section aria-label="Chat events">
      <h3>Events</h3>
      <ErrorBanner error={error} />
      {items === null ? (
        busy && <p>Loading…</p>
      ) : items.length === 0 ? (
        <p class="hint">No events.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <caption>
              {items.length} of {chat.eventCount} events
            </caption>
            <thead>
              <tr>
                <th scope="col">Time (s)</th>
                <th scope="col">Role</th>
                <th scope="col">Type</th>
                <th scope="col">Text</th>
                <th scope="col">Top emotions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <td>{((e.timestamp - chat.startTimestamp) / 1000).toFixed(1)}</td>
                  <td>{e.role}</td>
                  <td>{e.type}</td>
                  <td>{e.messageText}</td>
                  <td>
                    {topFeatures(e.emotionFeatures)
                      .map((f) => `${f.name} ${f.score.toFixed(2)}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {hasMore && (
        <button type="button" class="secondary" disabled={busy} onClick={more}>
          {busy ? 'Loading…' : 'Load more events'}
        </button>
      )}
    </section>
  )
}
