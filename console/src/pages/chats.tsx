/** The Chats page. */
export function ChatsPage() {
  return <p>Coming soon.</p>
}
