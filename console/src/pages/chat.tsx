/** The Chat page. */
export function ChatPage() {
  return <p>Coming soon.</p>
}
