/** The Voices page. */
export function VoicesPage() {
  return <p>Coming soon.</p>
}
