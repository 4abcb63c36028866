/**
 * A value loaded on first use and kept; a load that failed is tried again by the next caller
 * instead of failing every later one (a model file being replaced, a process not yet installed).
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined
  return () =>
    (p ??= load().catch((err: unknown) => {
      p = undefined
      throw err
    }))
}
