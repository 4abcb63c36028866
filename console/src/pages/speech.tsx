/** The Speech page. */
export function SpeechPage() {
  return <p>Coming soon.</p>
}
