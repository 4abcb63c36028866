/**
 * Where extracted members go: each one to its own numbered file, through a
 * meter that enforces the per-entry and total limits as bytes arrive, so a
 * bomb is stopped mid-stream and nothing is ever held whole in memory.
 */
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { ByteMeter } from '../streams/byte-meter.js'
import type { Budget } from './archive-paths.js'

export interface ExtractedFile {
  /** Normalised relative name inside the archive ("dir/file.txt"): safe to report, never used as a disk path. */
  path: string
  /** Absolute path of the extracted bytes on disk: `${destDir}/${index}` (names never reach the file system). */
  file: string
  size: number
}

export class Output {
  readonly files: ExtractedFile[] = []
  /** Every file opened so far, finished or not: what discard() must remove. */
  private readonly opened: string[] = []
  /** Writes not yet settled: discard() must not run while a file may still be created. */
  private readonly pending = new Set<Promise<void>>()

  constructor(
    /** Absolute. */
    readonly dir: string,
    readonly budget: Budget,
    readonly signal?: AbortSignal,
  ) {}

  /** Streams one member (already counted with budget.addEntry) to its own file. */
  async write(name: string, source: NodeJS.ReadableStream | AsyncIterable<Buffer>): Promise<void> {
    const file = join(this.dir, String(this.files.length))
    const meter = new ByteMeter((seen, chunk) => this.budget.addBytes(name, seen, chunk.length))
    // 'wx' (O_CREAT|O_EXCL): never follow a link or overwrite anything already in destDir,
    // and a file is ours to remove only once we have created it.
    const sink = createWriteStream(file, { flags: 'wx', mode: 0o600 })
    sink.once('open', () => this.opened.push(file))
    const done = pipeline(source, meter, sink, this.signal ? { signal: this.signal } : {}).catch(async (err) => {
      // pipeline() rejects on the first error, possibly before the file is even created:
      // wait for the sink to close so discard() sees every file that will exist.
      sink.destroy()
      if (!sink.closed) await once(sink, 'close')
      throw err
    })
    this.pending.add(done)
    try {
      await done
    } finally {
      this.pending.delete(done)
    }
    this.files.push({ path: name, file, size: meter.total })
  }

  /** Removes every file this extraction created, complete or partial. */
  async discard(): Promise<void> {
    await Promise.allSettled(this.pending)
    await Promise.all(this.opened.map((f) => rm(f, { force: true })))
  }
}
