/**
 * The AI SDK reports provider warnings (a setting a model ignores, say) with console.warn unless a
 * handler is installed on a documented global. The composition root installs one that logs through
 * pino, so warnings land in the server's structured logs and never on stdout.
 */
import type { LogWarningsFunction } from 'ai'
import type { Logger } from 'pino'

export function routeAiSdkWarnings(log: Pick<Logger, 'warn'> | LogWarningsFunction): void {
  const handler: LogWarningsFunction =
    typeof log === 'function'
      ? log
      : ({ warnings, provider, model }) => log.warn({ provider, model, warnings }, 'language model warning')
  ;(globalThis as { AI_SDK_LOG_WARNINGS?: LogWarningsFunction }).AI_SDK_LOG_WARNINGS = handler
}
