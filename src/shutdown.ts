import type { Logger } from 'pino'

/**
 * For entry points: runs start-up, and if it fails (database unreachable, a wrong password, a port
 * taken) prints one line and exits 1, as a process manager restarting it should see it, without a
 * stack trace per restart. LOG_LEVEL=debug prints the stack too.
 */
export async function startOrExit<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start()
  } catch (err) {
    process.stderr.write(`prosodia: cannot start: ${(err as Error).message}\n`)
    if (process.env.LOG_LEVEL === 'debug') process.stderr.write(`${(err as Error).stack}\n`)
    process.exit(1)
  }
}

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0; exits 1 if stopping takes longer than
 * `deadlineMs` (a job or request that will not finish is reclaimed elsewhere: its lease expires).
 */
export function onShutdown(log: Pick<Logger, 'info' | 'warn'>, stop: () => Promise<void>, deadlineMs: number): void {
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    log.info({ signal }, 'shutting down')
    setTimeout(() => {
      // Whatever was still running (a long synthesis, a job) is cut off; jobs return to the queue by lease.
      log.warn({ deadlineMs }, 'shutdown deadline passed: exiting with work still in flight')
      process.exit(1)
    }, deadlineMs).unref()
    await stop()
    process.exit(0)
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
}
