import { useMemo } from 'preact/hooks'
import { ErrorBanner } from '../../components/error-banner.js'
import { lineDiff, type DiffLine } from './line-diff.js'

const SIGN = { same: ' ', added: '+', removed: '−' } as const
const SPOKEN = { same: 'unchanged', added: 'added', removed: 'removed' } as const

/**
 * Two texts' line diff as a table: each changed line says "added" or "removed" in words (visually
 * hidden) beside its +/− sign, so a screen reader hears what changed, not only a colour.
 */
export function LineDiffView({ a, b, caption }: { a: string; b: string; caption: string }) {
  const result = useMemo((): { lines: DiffLine[] } | { error: unknown } => {
    try {
      return { lines: lineDiff(a, b) }
    } catch (error) {
      return { error }
    }
  }, [a, b])
  if ('error' in result) return <ErrorBanner error={result.error} />
  const added = result.lines.filter((l) => l.kind === 'added').length
  const removed = result.lines.filter((l) => l.kind === 'removed').length
  return (
    <>
      <p class="hint" aria-live="polite">
        {added === 0 && removed === 0 ? 'No differences.' : `${added} lines added, ${removed} removed.`}
      </p>
      <table class="diff">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Change</th>
            <th scope="col">A</th>
            <th scope="col">B</th>
            <th scope="col">Line</th>
          </tr>
        </thead>
        <tbody>
          {result.lines.map((line, i) => (
            <tr key={i} class={line.kind}>
              <td>
                <span aria-hidden="true">{SIGN[line.kind]}</span>
                <span class="visually-hidden">{SPOKEN[line.kind]}</span>
              </td>
              <td>{line.a ?? ''}</td>
              <td>{line.b ?? ''}</td>
              <td>
                <code>{line.text}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
