/**
 * A push-to-pull bridge: producers push values (from events), one consumer iterates them with
 * `for await`. Unbounded by design: every producer feeding it is itself bounded by a request
 * limit (text length, archive budget), and stopping a thread mid-task to apply backpressure
 * would hold the thread for as long as the slowest client.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = []
  private waiting: (() => void) | undefined
  private error: Error | undefined
  private ended = false

  get finished(): boolean {
    return this.ended || this.error !== undefined
  }

  push(item: T): void {
    if (this.finished) return
    this.items.push(item)
    this.wake()
  }

  end(): void {
    this.ended = true
    this.wake()
  }

  fail(err: Error): void {
    if (this.finished) return
    this.error = err
    this.wake()
  }

  private wake(): void {
    const w = this.waiting
    this.waiting = undefined
    w?.()
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift() as T
        continue
      }
      if (this.error) throw this.error
      if (this.ended) return
      await new Promise<void>((resolve) => (this.waiting = resolve))
    }
  }
}
