import { decodeBase64 } from '../../../../src/client/index.js'

/** Interrupted answers whose late chunks are still dropped; older ids are forgotten. */
export const MAX_DROPPED_IDS = 64
/** Lead time for the first chunk, so its start is not already in the past when it is scheduled. */
const START_LEAD_S = 0.05

export interface PlayerEvents {
  /** A chunk was decoded and scheduled (its running count). */
  onChunk: (count: number) => void
  /** Whether any audio is scheduled or playing. */
  onPlaying: (playing: boolean) => void
  onError: (error: unknown) => void
}

/**
 * Plays the assistant's audio_output chunks (each a complete WAV file) back to back, in arrival order:
 * every chunk starts decoding at once, but they are scheduled one after another on the context's clock,
 * so there is no gap between chunks and no reordering when one decodes faster than the one before.
 */
export class AudioQueue {
  private readonly ctx = new AudioContext()
  private nextAt = 0
  private readonly sources = new Set<AudioBufferSourceNode>()
  private chain: Promise<void> = Promise.resolve()
  /** Bumped by flush(): chunks decoded for an older epoch are thrown away. */
  private epoch = 0
  private count = 0
  /** Answers queued since the last flush, and answers a flush cut off (their late chunks are dropped). */
  private queuedIds = new Set<string>()
  private readonly droppedIds = new Set<string>()

  constructor(private readonly events: PlayerEvents) {}

  /** Queues one chunk of the answer `id`. */
  enqueue(id: string, base64Wav: string): void {
    if (this.droppedIds.has(id)) return
    const epoch = this.epoch
    this.queuedIds.add(id)
    // decodeAudioData takes (and detaches) an ArrayBuffer of its own.
    const decoding = this.ctx.decodeAudioData(decodeBase64(base64Wav).slice().buffer)
    this.chain = this.chain
      .then(async () => {
        const buffer = await decoding
        if (epoch !== this.epoch) return
        this.schedule(buffer)
      })
      .catch((error: unknown) => this.events.onError(error))
  }

  /** Stops what is playing and forgets what is queued (the user interrupted). */
  flush(): void {
    this.epoch++
    for (const id of this.queuedIds) this.droppedIds.add(id)
    while (this.droppedIds.size > MAX_DROPPED_IDS)
      this.droppedIds.delete(this.droppedIds.values().next().value as string)
    this.queuedIds = new Set()
    for (const source of this.sources) {
      source.onended = null
      source.stop()
    }
    this.sources.clear()
    this.nextAt = 0
    this.events.onPlaying(false)
  }

  close(): void {
    this.flush()
    void this.ctx.close()
  }

  private schedule(buffer: AudioBuffer): void {
    // A context created before the user's click, or suspended by the browser, starts on this gesture's account.
    if (this.ctx.state === 'suspended') void this.ctx.resume()
    const source = this.ctx.createBufferSource()
    source.buffer = buffer
    source.connect(this.ctx.destination)
    const at = Math.max(this.ctx.currentTime + START_LEAD_S, this.nextAt)
    source.start(at)
    this.nextAt = at + buffer.duration
    this.sources.add(source)
    source.onended = () => {
      this.sources.delete(source)
      if (this.sources.size === 0) {
        // Nothing left to play: the answers so far are done, none needs dropping at the next flush.
        this.queuedIds = new Set()
        this.events.onPlaying(false)
      }
    }
    this.events.onPlaying(true)
    this.events.onChunk(++this.count)
  }
}
