/** The Jobs page. */
export function JobsPage() {
  return <p>Coming soon.</p>
}
