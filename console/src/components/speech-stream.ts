// Streaming playback: POST /v0/tts/stream/json with strip_headers, so each generation's chunks are
// slices of one continuous file. MP3 slices go to Media Source Extensions (the browser's own MP3
// decoder, gapless, in a real <audio> element); WAV slices are linear PCM, so they are scheduled
// straight into Web Audio. Generations render one after the other, so they play back to back.
import type { ProsodiaClient, tts } from '../../../src/client/index.js'
import { decodeBase64 } from '../../../src/client/index.js'
import { concat, finishWav, WAV_HEADER, wavSampleRate, type SpeechClip, type SpeechFormat } from './speech-audio.js'

/** Bounds what one streamed request may hold in the page (the server bounds the text it renders). */
export const MAX_STREAM_BYTES = 64 * 1024 * 1024

/** Where live audio goes as it arrives. */
export interface LiveSink {
  push(generationId: string, bytes: Uint8Array): void
  end(): void
  close(): void
}

/** MP3 through a MediaSource: `url` is the <audio> element's src; play it and chunks join as they come. */
export class MseSink implements LiveSink {
  private readonly source = new MediaSource()
  readonly url = URL.createObjectURL(this.source)
  private buffer: SourceBuffer | undefined
  private readonly pending: Uint8Array[] = []
  private finished = false

  constructor() {
    this.source.addEventListener(
      'sourceopen',
      () => {
        this.buffer = this.source.addSourceBuffer('audio/mpeg')
        // 'sequence' lays each append after the last, whatever timestamps the MP3 frames imply.
        this.buffer.mode = 'sequence'
        this.buffer.addEventListener('updateend', () => this.pump())
        this.pump()
      },
      { once: true },
    )
  }

  static supported(): boolean {
    return typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported('audio/mpeg')
  }

  push(_generationId: string, bytes: Uint8Array): void {
    if (bytes.length > 0) this.pending.push(bytes)
    this.pump()
  }

  end(): void {
    this.finished = true
    this.pump()
  }

  close(): void {
    this.pending.length = 0
    URL.revokeObjectURL(this.url)
  }

  /** SourceBuffer takes one append at a time: the next waits for the last one's updateend. */
  private pump(): void {
    const buffer = this.buffer
    if (!buffer || buffer.updating || this.source.readyState !== 'open') return
    const next = this.pending.shift()
    if (next) buffer.appendBuffer(next as BufferSource)
    else if (this.finished) this.source.endOfStream()
  }
}

/** WAV (16-bit mono PCM) scheduled into Web Audio, each slice right after the one before. */
export class PcmSink implements LiveSink {
  private readonly rates = new Map<string, number>()
  private carry: Record<string, Uint8Array> = {}
  private readonly playing = new Set<AudioBufferSourceNode>()
  private next = 0

  constructor(private readonly ctx: AudioContext) {
    void ctx.resume()
  }

  push(generationId: string, bytes: Uint8Array): void {
    let pcm = bytes
    if (!this.rates.has(generationId)) {
      // The first slice of a generation starts with its WAV header: the sample rate is there.
      const rate = wavSampleRate(bytes)
      if (rate === undefined) return
      this.rates.set(generationId, rate)
      pcm = bytes.subarray(WAV_HEADER)
    }
    // A slice could end mid-sample; keep the odd byte for the next one.
    const held = this.carry[generationId]
    if (held) pcm = concat([held, pcm])
    const even = pcm.length - (pcm.length % 2)
    this.carry[generationId] = pcm.slice(even)
    if (even === 0) return
    const view = new DataView(pcm.buffer, pcm.byteOffset, even)
    const samples = new Float32Array(even / 2)
    for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true) / 0x8000
    const buffer = this.ctx.createBuffer(1, samples.length, this.rates.get(generationId) as number)
    buffer.copyToChannel(samples, 0)
    const node = this.ctx.createBufferSource()
    node.buffer = buffer
    node.connect(this.ctx.destination)
    // A small lead keeps the first slice from starting in the past; later ones queue seamlessly.
    const at = Math.max(this.next, this.ctx.currentTime + 0.05)
    node.start(at)
    this.next = at + buffer.duration
    this.playing.add(node)
    node.onended = () => this.playing.delete(node)
  }

  end(): void {}

  close(): void {
    for (const node of this.playing) node.stop()
    this.playing.clear()
  }
}

/**
 * Runs one streamed synthesis: every audio chunk goes to `sink` as it arrives, and each generation's
 * bytes are kept so the finished clips get the same player, waveform and "Save voice" as the others.
 */
export async function streamSpeech(
  client: ProsodiaClient,
  request: tts.PostedTts,
  format: SpeechFormat,
  sink: LiveSink,
  onChunk: (received: number) => void,
  signal: AbortSignal,
): Promise<SpeechClip[]> {
  const stream = await client.tts.synthesizeJsonStreaming({ ...request, stripHeaders: true }, { abortSignal: signal })
  const parts = new Map<string, Uint8Array[]>()
  let total = 0
  let chunks = 0
  for await (const message of stream) {
    if (message.type !== 'audio') continue
    const bytes = decodeBase64(message.audio)
    total += bytes.length
    if (total > MAX_STREAM_BYTES) throw new Error(`The stream passed ${MAX_STREAM_BYTES / 2 ** 20} MB; stopped`)
    const list = parts.get(message.generationId) ?? []
    list.push(bytes)
    parts.set(message.generationId, list)
    sink.push(message.generationId, bytes)
    onChunk(++chunks)
  }
  sink.end()
  return [...parts].map(([generationId, list]) => {
    const bytes = concat(list)
    return { generationId, format, bytes: format === 'wav' ? finishWav(bytes) : bytes, duration: undefined }
  })
}
