import { describeError } from '../api.js'

/** A failure, quoted as the API worded it; role=alert so screen readers announce it. */
export function ErrorBanner({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (error === null || error === undefined) return null
  return (
    <div class="banner error" role="alert">
      <span>{describeError(error)}</span>
      {onDismiss && (
        <button type="button" class="link" onClick={onDismiss} aria-label="Dismiss error">
          ×
        </button>
      )}
    </div>
  )
}
