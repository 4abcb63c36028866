import type { Logger } from 'pino'

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0; exits 1 if stopping takes longer than
 * `deadlineMs` (a job or request that will not finish is reclaimed elsewhere: its lease expires).
 */
export function onShutdown(log: Pick<Logger, 'info'>, stop: () => Promise<void>, deadlineMs: number): void {
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    log.info({ signal }, 'shutting down')
    setTimeout(() => process.exit(1), deadlineMs).unref()
    await stop()
    process.exit(0)
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
}
