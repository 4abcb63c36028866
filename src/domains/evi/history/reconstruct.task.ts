// Worker-thread side of audio reconstruction: reads both recorded tracks from local files, mixes
// them block by block and streams the MP3 back as it is encoded, so neither the thread nor the
// caller ever holds the whole chat.
import { open, type FileHandle } from 'node:fs/promises'
import type { Task } from '../../../shared/workers/worker-host.js'
import { createStreamEncoder } from '../../tts/audio-encoding.js'
import { mixTracks, outputLength, outputRate, type TrackReader } from './audio-mix.js'
import { parseTrackHeader, TRACK_HEADER_BYTES } from './track-format.js'

export interface ReconstructInput {
  /** Local paths of the recorded tracks (any number, usually the user's and the assistant's). */
  tracks: string[]
  /** end_timestamp - start_timestamp of the chat. */
  durationMs: number
  /** The longest mix made (PROSODIA_MEDIA_MAX_SECONDS). */
  maxSeconds: number
}

/** MP3 bytes as they are encoded, then one summary. */
export type ReconstructMessage = { bytes: Uint8Array } | { summary: { sampleRate: number; samples: number } }

/** One second of output per block: small next to a thread's heap, large enough for few reads. */
const BLOCK_SECONDS = 1

async function fileTrack(fh: FileHandle): Promise<TrackReader> {
  const head = new Uint8Array(TRACK_HEADER_BYTES)
  const { bytesRead } = await fh.read(head, 0, TRACK_HEADER_BYTES, 0)
  const { rate } = parseTrackHeader(head.subarray(0, bytesRead))
  const { size } = await fh.stat()
  return {
    rate,
    length: Math.max(0, Math.floor((size - TRACK_HEADER_BYTES) / 2)),
    async read(start, count) {
      // Buffer.alloc is never pooled: its ArrayBuffer starts at 0, so an Int16Array can view it.
      const buf = Buffer.alloc(count * 2)
      await fh.read(buf, 0, buf.length, TRACK_HEADER_BYTES + start * 2)
      return new Int16Array(buf.buffer, buf.byteOffset, count)
    },
  }
}

const reconstruct: Task<unknown> = async (input: ReconstructInput, ctx) => {
  const handles: FileHandle[] = []
  try {
    for (const p of input.tracks) handles.push(await open(p, 'r'))
    const tracks = await Promise.all(handles.map(fileTrack))
    const rate = outputRate(tracks)
    const length = outputLength({ durationMs: input.durationMs, rate, tracks, maxSeconds: input.maxSeconds })
    const encoder = await createStreamEncoder('mp3', rate)
    const send = (bytes: Uint8Array) => {
      if (bytes.length > 0) ctx.emit({ bytes } satisfies ReconstructMessage, [bytes.buffer as ArrayBuffer])
    }
    for await (const block of mixTracks(tracks, { rate, length, blockSamples: rate * BLOCK_SECONDS })) {
      ctx.signal.throwIfAborted()
      send(encoder.push(block))
    }
    send(encoder.end())
    ctx.emit({ summary: { sampleRate: rate, samples: length } } satisfies ReconstructMessage)
    return undefined
  } finally {
    await Promise.all(handles.map((h) => h.close()))
  }
}

export const historyTasks = { 'evi.history.reconstruct': reconstruct }
