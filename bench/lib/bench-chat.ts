// One EVI chat as the benchmark drives it: a raw `ws` socket to /v0/evi/chat (lighter and more
// exact about timing than the SDK's reconnecting socket), a microphone that sends 20 ms of audio on
// a real-time clock for the whole chat (speech when a clip is queued, silence otherwise), and what
// came back with its arrival time. Every server message is also checked strictly against
// hume@0.16.0's SubscribeEvent, as the tests do.
import WebSocket from 'ws'
import { expectValidServerMessage, type Raw } from '../../test/helpers/evi-chat.js'
import type { Clip } from './clips.js'

/** Wall-clock ms with sub-ms precision, comparable with the scripted model's thread. */
export const wallNow = () => performance.timeOrigin + performance.now()

const FRAME_MS = 20

export interface AudioArrival {
  /** Wall-clock ms the audio_output arrived. */
  at: number
  /** Seconds of audio in its WAV. */
  seconds: number
}

/** Sends a 20 ms frame every 20 ms of wall time from its start: queued clip frames, else silence. */
class Mic {
  private queue: { data: string; onSent?: (at: number) => void }[] = []
  private sent = 0
  private t0 = 0
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(
    private readonly send: (frame: string) => void,
    private readonly silence: string,
  ) {}

  start(): void {
    this.t0 = performance.now()
    this.tick()
  }

  /** Queues a clip; resolves once its last frame is sent, with the time its last voiced frame was sent. */
  play(clip: Clip): Promise<{ endOfSpeechAt: number }> {
    return new Promise((resolve) => {
      let endOfSpeechAt = NaN
      clip.frames.forEach((data, i) =>
        this.queue.push({
          data,
          onSent: (at) => {
            if (i === clip.lastVoicedFrame) endOfSpeechAt = at
            if (i === clip.frames.length - 1) resolve({ endOfSpeechAt })
          },
        }),
      )
    })
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  // Frame k is due at t0 + 20k ms; a late timer sends every frame due (a microphone's buffer catching up).
  private tick = (): void => {
    if (this.stopped) return
    const due = Math.floor((performance.now() - this.t0) / FRAME_MS) + 1
    while (this.sent < due) {
      const frame = this.queue.shift()
      this.send(frame?.data ?? this.silence)
      frame?.onSent?.(wallNow())
      this.sent++
    }
    this.timer = setTimeout(this.tick, Math.max(0, this.t0 + this.sent * FRAME_MS - performance.now()))
  }
}

/** Seconds of audio in a WAV file (audio_output carries complete WAV files). */
export function wavSeconds(wav: Buffer): number {
  let off = 12
  let bytesPerSecond = 0
  while (off + 8 <= wav.length) {
    const id = wav.toString('ascii', off, off + 4)
    const size = wav.readUInt32LE(off + 4)
    if (id === 'fmt ') bytesPerSecond = wav.readUInt32LE(off + 16)
    if (id === 'data') return bytesPerSecond ? Math.min(size, wav.length - off - 8) / bytesPerSecond : 0
    off += 8 + size + (size % 2)
  }
  return 0
}

export class BenchChat {
  readonly audio: AudioArrival[] = []
  readonly ends: number[] = []
  readonly userFinals: number[] = []
  readonly interruptions: number[] = []
  readonly errors: { at: number; code: string; slug: string; message: string }[] = []
  /** Server messages that failed the strict SubscribeEvent parse, with why. */
  readonly invalid: string[] = []
  chatId = ''
  chatGroupId = ''
  private readonly mic: Mic
  private waiters = new Set<() => void>()
  readonly closed: Promise<void>

  private constructor(
    private readonly ws: WebSocket,
    silence: string,
  ) {
    this.mic = new Mic((data) => {
      if (ws.readyState === ws.OPEN) ws.send(`{"type":"audio_input","data":"${data}"}`)
    }, silence)
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()))
    ws.on('message', (data) => this.onMessage(String(data)))
    ws.once('close', () => {
      this.mic.stop()
      this.wake()
    })
    // A refused handshake (e.g. 429 over the account's socket cap) or a dropped connection.
    ws.on('error', (err) => {
      this.errors.push({ at: wallNow(), code: 'socket', slug: 'socket_error', message: err.message })
      this.wake()
    })
  }

  /** Opens a chat; resolves once chat_metadata arrived, with the microphone running. */
  static async open(url: string, silence: string, timeoutMs = 15_000): Promise<BenchChat> {
    const ws = new WebSocket(url)
    const chat = new BenchChat(ws, silence)
    const ok = await chat.waitFor(() => chat.chatId !== '' || chat.errors.length > 0, timeoutMs)
    if (!ok || !chat.chatId) {
      ws.terminate()
      throw new Error(`chat did not open: ${JSON.stringify(chat.errors[0] ?? 'timed out')}`)
    }
    chat.mic.start()
    return chat
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN
  }

  play(clip: Clip): Promise<{ endOfSpeechAt: number }> {
    return this.mic.play(clip)
  }

  /** Resolves true once `check` holds (checked now and after every message), false after the timeout or a close. */
  waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true)
    if (this.ws.readyState >= this.ws.CLOSING) return Promise.resolve(false)
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer)
        this.waiters.delete(waiter)
        resolve(v)
      }
      const waiter = () => {
        if (check()) done(true)
        else if (this.ws.readyState >= this.ws.CLOSING) done(false)
      }
      const timer = setTimeout(() => done(false), timeoutMs)
      this.waiters.add(waiter)
    })
  }

  close(): Promise<void> {
    this.mic.stop()
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000)
    return this.closed
  }

  private onMessage(text: string): void {
    const at = wallNow()
    let m: Raw
    try {
      m = JSON.parse(text) as Raw
    } catch {
      this.invalid.push(`not JSON: ${text.slice(0, 100)}`)
      return
    }
    try {
      expectValidServerMessage(m)
    } catch (err) {
      // Counted and reported; the message still counts for the timings.
      this.invalid.push((err as Error).message.slice(0, 300))
    }
    switch (m.type) {
      case 'chat_metadata':
        this.chatId = m.chat_id as string
        this.chatGroupId = m.chat_group_id as string
        break
      case 'audio_output':
        this.audio.push({ at, seconds: wavSeconds(Buffer.from(m.data as string, 'base64')) })
        break
      case 'assistant_end':
        this.ends.push(at)
        break
      case 'user_message':
        if (!m.interim) this.userFinals.push(at)
        break
      case 'user_interruption':
        this.interruptions.push(at)
        break
      case 'error':
        this.errors.push({ at, code: m.code as string, slug: m.slug as string, message: m.message as string })
        break
    }
    this.wake()
  }

  private wake(): void {
    for (const w of [...this.waiters]) w()
  }
}
