let last = 0

/**
 * Epoch milliseconds that never repeat or go backwards within this process, so "newest first"
 * is a strict order even for resources created in the same millisecond.
 */
export function monotonicNow(): number {
  last = Math.max(Date.now(), last + 1)
  return last
}
