/**
 * Records a running chat's two sides, each to its own track file in the scratch dir, written as the
 * audio comes: memory holds only writes in flight. Every chunk lands at the sample its `atMs` names,
 * so what lies between chunks reads back as silence (a file's unwritten bytes are zeros). On close
 * each track moves to the blob store, where the reconstruction job finds it. The blob store takes
 * whole files only (S3 has no positional writes), hence the scratch file first.
 */
import { createReadStream } from 'node:fs'
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from 'pino'
import type { BlobStore } from '../../../shared/storage/blobs.js'
import { resample } from '../../tts/engines/resample.js'
import { toInt16, USER_RATE } from './audio-mix.js'
import { historyKeys, type TrackSide } from './history.keys.js'
import type { ChatRecorder } from './history.types.js'
import { trackHeader, TRACK_HEADER_BYTES } from './track-format.js'

/**
 * Audio written but not yet on disk, per track. Audio arrives in real time, far slower than any disk
 * takes it; a disk that stalls this long makes the recording drop audio rather than grow memory.
 */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024

export interface RecorderDeps {
  blobs: BlobStore
  /** Scratch dir for the track files while the chat runs. */
  tmpDir: string
  /** The longest recording (PROSODIA_MEDIA_MAX_SECONDS): audio past it is dropped. */
  maxSeconds: number
  log: Logger
}

class TrackWriter {
  private fh: Promise<FileHandle> | undefined
  private chain: Promise<void> = Promise.resolve()
  private pending = 0
  /** Bytes of samples the file extends to. */
  private extent = 0
  private failed: Error | undefined
  private warned = new Set<string>()
  rate: number | undefined

  constructor(
    readonly file: string,
    private readonly maxSeconds: number,
    private readonly log: Logger,
  ) {}

  private warnOnce(reason: string, fields: Record<string, unknown> = {}): void {
    if (this.warned.has(reason)) return
    this.warned.add(reason)
    this.log.warn({ file: this.file, ...fields }, `chat recording: ${reason}`)
  }

  write(samples: Float32Array, rate: number, atMs: number): void {
    if (this.failed || samples.length === 0 || !Number.isFinite(atMs)) return
    this.rate ??= rate
    // A track has one rate (its header's): a later voice at another rate is converted to it.
    const converted = rate === this.rate ? samples : resample(samples, rate / this.rate)
    const first = Math.max(0, Math.round((atMs * this.rate) / 1000))
    const cap = this.maxSeconds * this.rate
    const count = Math.min(converted.length, cap - first)
    if (count <= 0) return this.warnOnce('past the longest recording; the rest is not recorded', { cap })
    const bytes = toInt16(converted.subarray(0, count))
    if (this.pending + bytes.byteLength > MAX_PENDING_BYTES) return this.warnOnce('disk too slow; audio dropped')
    this.pending += bytes.byteLength
    const at = TRACK_HEADER_BYTES + first * 2
    this.extent = Math.max(this.extent, first * 2 + bytes.byteLength)
    this.chain = this.chain.then(async () => {
      try {
        if (this.failed) return
        this.fh ??= mkdir(path.dirname(this.file), { recursive: true }).then(() => open(this.file, 'w'))
        const fh = await this.fh
        await fh.write(bytes, 0, bytes.byteLength, at)
      } catch (err) {
        this.failed = err as Error
        this.log.error({ err, file: this.file }, 'chat recording failed; the rest of this side is not recorded')
      } finally {
        this.pending -= bytes.byteLength
      }
    })
  }

  /** Writes the header and closes the file; true when there is a track to store. */
  async finish(): Promise<boolean> {
    await this.chain
    if (!this.fh) return false
    const fh = await this.fh.catch(() => undefined)
    if (!fh) return false
    try {
      if (this.failed || this.rate === undefined) return false
      await fh.write(trackHeader(this.rate, this.extent), 0, TRACK_HEADER_BYTES, 0)
      return true
    } finally {
      await fh.close()
    }
  }
}

/** A recorder for one chat: `user()` at 16 kHz, `assistant()` at its engine's rate. */
export function createRecorder(d: RecorderDeps, chatId: string): ChatRecorder {
  const dir = path.join(d.tmpDir, 'evi-recordings')
  const log = d.log.child({ chatId })
  const sides: Record<TrackSide, TrackWriter> = {
    user: new TrackWriter(path.join(dir, `${chatId}-user.wav`), d.maxSeconds, log),
    assistant: new TrackWriter(path.join(dir, `${chatId}-assistant.wav`), d.maxSeconds, log),
  }
  let closing: Promise<void> | undefined

  const store = async (side: TrackSide): Promise<void> => {
    const track = sides[side]
    try {
      if (await track.finish()) await d.blobs.put(historyKeys.track(chatId, side), createReadStream(track.file))
    } catch (err) {
      // The chat itself is over and fine; its reconstruction will lack this side.
      log.error({ err, side }, 'storing a chat recording failed')
    } finally {
      await rm(track.file, { force: true })
    }
  }

  return {
    user: (samples, atMs) => {
      if (!closing) sides.user.write(samples, USER_RATE, atMs)
    },
    assistant: (samples, sampleRate, atMs) => {
      if (!closing) sides.assistant.write(samples, sampleRate, atMs)
    },
    close: () => (closing ??= Promise.all([store('user'), store('assistant')]).then(() => {})),
  }
}
