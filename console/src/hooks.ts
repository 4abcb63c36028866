import { useCallback, useState } from 'preact/hooks'

/**
 * Runs an async action with its pending state and error: `run(fn)` clears the last error, sets `busy`
 * until fn settles, and keeps fn's failure in `error` for an ErrorBanner.
 */
export function useAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const run = useCallback(async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true)
    setError(null)
    try {
      return await fn()
    } catch (e) {
      setError(e)
      return undefined
    } finally {
      setBusy(false)
    }
  }, [])
  return { busy, error, setError, run }
}
