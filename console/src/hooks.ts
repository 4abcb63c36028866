import { useCallback, useState } from 'preact/hooks'

/**
 * Runs an async action with its pending state and error: `run(fn)` clears the last error, sets `busy`
 * until fn settles, and keeps fn's failure in `error` for an ErrorBanner.
 */
export function useAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const run = useCallback(async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    const focused = document.activeElement
    setBusy(true)
    setError(null)
    try {
      return await fn()
    } catch (e) {
      setError(e)
      return undefined
    } finally {
      setBusy(false)
      restoreFocus(focused)
    }
  }, [])
  return { busy, error, setError, run }
}

/**
 * A button that disables itself while its action runs drops the keyboard focus to <body>; once the page has
 * re-rendered, it gets the focus back (if it is still there and enabled, and nothing else took the focus).
 */
function restoreFocus(element: Element | null): void {
  if (!(element instanceof HTMLElement) || element === document.body) return
  setTimeout(() => {
    const lost = document.activeElement === null || document.activeElement === document.body
    if (lost && element.isConnected && !(element as HTMLButtonElement).disabled) element.focus()
  }, 0)
}
