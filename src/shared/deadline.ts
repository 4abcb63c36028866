/**
 * A deadline on a promise whose work cannot be cancelled: a Redis command on a connection that
 * queues commands while Redis is away would otherwise wait for its return indefinitely.
 */
export class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: Redis did not answer within ${ms} ms`)
    this.name = 'DeadlineError'
  }
}

/** `p`, or a DeadlineError after `ms` (the shared connection queues commands while Redis is away). */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms)
    timer.unref()
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}
