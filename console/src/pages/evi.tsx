/** The EVI page. */
export function EviPage() {
  return <p>Coming soon.</p>
}
