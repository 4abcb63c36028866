/**
 * Serialised response bodies, each valid for one generation of the data it shows. A reader asks with
 * the current generation; an entry from an older one is a miss. Least recently used entries go first
 * once the byte budget is spent. Per process: correctness comes from the generation, which lives in
 * the database, so several processes (or a restart) never serve each other's stale pages.
 */
export class PageCache {
  private readonly entries = new Map<string, { generation: number; body: string }>()
  private bytes = 0

  constructor(private readonly maxBytes: number) {}

  get(key: string, generation: number): string | undefined {
    const entry = this.entries.get(key)
    if (!entry || entry.generation !== generation) return undefined
    // Re-insert to mark as most recently used (a Map iterates in insertion order).
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.body
  }

  set(key: string, generation: number, body: string): void {
    const size = body.length * 2
    if (size > this.maxBytes) return
    this.delete(key)
    this.entries.set(key, { generation, body })
    this.bytes += size
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.delete(oldest)
    }
  }

  get size(): number {
    return this.entries.size
  }

  private delete(key: string): void {
    const entry = this.entries.get(key)
    if (!entry) return
    this.bytes -= entry.body.length * 2
    this.entries.delete(key)
  }
}
