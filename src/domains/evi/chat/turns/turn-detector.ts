/**
 * Turns in live 16 kHz audio from Silero VAD, windows of 512 samples (32 ms) scored one after another
 * with the model's state and context carried across `push` calls (SileroVad.stream).
 *
 * Where the work runs: onnxruntime-node 1.30's `session.run` returns a promise, but the binding runs
 * the model synchronously on the calling thread inside a setImmediate (node_modules/onnxruntime-node/
 * dist/backend.js), so each window blocks the event loop for its inference: ~0.2–0.4 ms on the 2-core
 * dev machine (single intra-op thread), i.e. under 1.5% of a core per live chat. Small enough for the
 * event loop; a chat server holding dozens of chats would move this stage into a worker thread.
 *
 * The state machine follows Hume's settings and Silero's own segmentation (vad.ts):
 * - speech starts at a window with probability ≥ speech_detection_threshold and is confirmed after
 *   MIN_SPEECH_MS of speech (a click opens nothing); the turn keeps prefix_padding_ms before it;
 * - speech continues while the probability stays above threshold − 0.15 (hysteresis), and once a
 *   silence has begun only a window ≥ threshold ends it;
 * - `sustained_speech` when min_interruption_ms of speech has accumulated in the turn (barge-in);
 * - `pause` after PAUSE_MS of silence (a candidate end, for the early end of turn), `resume` if speech
 *   returns, `end` after end_of_turn_silence_ms of silence;
 * - a turn reaching the length limit ends there (bounded memory) and speech after it opens a new turn.
 * Turn audio runs from the padded start to END_PADDING_MS after the last speech window.
 */
import type { VadStream } from '../../../expression/prosody/vad.js'
import type { TurnDetector, TurnEvent, TurnSettings } from './turns.types.js'

/** Anything that opens a Silero stream: SileroVad, or a fake in unit tests. */
export interface VadSource {
  stream(): VadStream
}

export interface TurnDetectorOptions {
  /** The longest turn (config.limits.eviTurnSeconds); longer speech is cut into turns of this length. */
  maxTurnSeconds: number
}

export const SAMPLE_RATE = 16_000
export const WINDOW = 512
/** Silence after which a turn may be over: the early end of turn checks words and pitch here. */
export const PAUSE_MS = 250
/** Audio kept after the last speech window, so the last phoneme's release is not clipped. */
export const END_PADDING_MS = 100
/** Speech needed before a turn opens: two windows, so a single click or pop starts nothing. */
export const MIN_SPEECH_MS = 64
/** Silero's hysteresis: inside speech, the probability must fall this far below the threshold to count as silence. */
const HYSTERESIS = 0.15

const samples = (ms: number) => Math.round((ms * SAMPLE_RATE) / 1000)
const ms = (n: number) => (n * 1000) / SAMPLE_RATE

interface Turn {
  /** Stream sample index of the first sample of the turn's audio (prefix padding included). */
  begin: number
  onset: number
  chunks: Float32Array[]
  length: number
  confirmed: boolean
  voiced: number
  lastVoicedEnd: number
  silence: number
  sustained: boolean
  paused: boolean
}

export function createTurnDetector(vad: VadSource, settings: TurnSettings, opts: TurnDetectorOptions): TurnDetector {
  return new VadTurnDetector(vad.stream(), settings, opts)
}

class VadTurnDetector implements TurnDetector {
  private readonly threshold: number
  private readonly low: number
  private readonly prefix: number
  private readonly pauseAfter = samples(PAUSE_MS)
  private readonly endAfter: number
  private readonly sustainAfter: number
  private readonly maxTurn: number
  private readonly minSpeech = samples(MIN_SPEECH_MS)
  private readonly endPad = samples(END_PADDING_MS)

  private pending = new Float32Array(0)
  /** Samples pushed (scored or waiting for a full window). */
  private seen = 0
  /** Samples scored: the stream position of the next window. */
  private pos = 0
  /** Recent windows while no turn is open, for prefix padding. */
  private history: { start: number; audio: Float32Array }[] = []
  private turn: Turn | undefined
  /** No turn reaches back before the end of the previous one. */
  private floor = 0
  private chain: Promise<unknown> = Promise.resolve()
  private closed = false

  constructor(
    private readonly vad: VadStream,
    settings: TurnSettings,
    opts: TurnDetectorOptions,
  ) {
    this.threshold = settings.speechDetectionThreshold
    this.low = Math.max(settings.speechDetectionThreshold - HYSTERESIS, 0.01)
    this.prefix = samples(settings.prefixPaddingMs)
    this.endAfter = samples(settings.endOfTurnSilenceMs)
    this.sustainAfter = samples(settings.minInterruptionMs)
    this.maxTurn = Math.max(samples(opts.maxTurnSeconds * 1000), WINDOW)
  }

  get positionMs(): number {
    return ms(this.seen)
  }

  push(pcm16k: Float32Array): Promise<TurnEvent[]> {
    if (this.closed) return Promise.resolve([])
    // Copied now: the caller may reuse its buffer before an earlier push has finished scoring.
    const copy = Float32Array.from(pcm16k)
    this.seen += copy.length
    // One push at a time: the VAD state and the turn must see windows in stream order.
    const run = this.chain.then(() => this.process(copy))
    this.chain = run.catch(() => undefined)
    return run
  }

  endNow(): Extract<TurnEvent, { type: 'end' }> | undefined {
    const turn = this.turn
    if (!turn?.confirmed) return undefined
    return this.finish(turn, Math.min(this.pos, turn.lastVoicedEnd + this.endPad), true)
  }

  async close(): Promise<void> {
    this.closed = true
    await this.chain
    this.turn = undefined
    this.history = []
  }

  private async process(pcm: Float32Array): Promise<TurnEvent[]> {
    const events: TurnEvent[] = []
    let data = pcm
    if (this.pending.length > 0) {
      data = new Float32Array(this.pending.length + pcm.length)
      data.set(this.pending)
      data.set(pcm, this.pending.length)
    }
    let at = 0
    for (; at + WINDOW <= data.length && !this.closed; at += WINDOW) {
      const window = data.slice(at, at + WINDOW)
      const p = await this.vad.next(window)
      this.step(p, window, events)
      this.pos += WINDOW
    }
    this.pending = data.slice(at)
    return events
  }

  private step(p: number, window: Float32Array, events: TurnEvent[]): void {
    const start = this.pos
    const end = start + WINDOW
    const turn = this.turn
    if (!turn) {
      if (p >= this.threshold) this.open(window, start)
      else this.remember(window, start)
      return
    }
    turn.chunks.push(window)
    turn.length += WINDOW
    const voiced = p >= this.threshold || (p >= this.low && turn.silence === 0)
    if (voiced) {
      turn.voiced += WINDOW
      turn.lastVoicedEnd = end
      turn.silence = 0
      if (turn.paused) {
        turn.paused = false
        events.push({ type: 'resume', atMs: ms(end) })
      }
      if (!turn.confirmed && turn.voiced >= this.minSpeech) {
        turn.confirmed = true
        events.push({ type: 'speech_start', atMs: ms(turn.onset) })
      }
      if (turn.confirmed && !turn.sustained && turn.voiced >= this.sustainAfter) {
        turn.sustained = true
        events.push({ type: 'sustained_speech', atMs: ms(end) })
      }
    } else {
      turn.silence += WINDOW
      if (!turn.confirmed) {
        // A blip: forget it, but keep its audio as possible padding for a real onset.
        this.turn = undefined
        let at = turn.begin
        for (const c of turn.chunks) {
          this.remember(c, at)
          at += c.length
        }
        return
      }
      if (!turn.paused && turn.silence >= this.pauseAfter) {
        turn.paused = true
        const cut = Math.min(end, turn.lastVoicedEnd + this.endPad)
        events.push({ type: 'pause', atMs: ms(end), beginMs: ms(turn.begin), audio: this.audio(turn, cut) })
      }
      if (turn.silence >= this.endAfter) {
        events.push(this.finish(turn, Math.min(end, turn.lastVoicedEnd + this.endPad), false))
        return
      }
    }
    // Ended here if the next window would take the turn past the limit.
    if (this.turn === turn && turn.confirmed && end + WINDOW - turn.begin > this.maxTurn) {
      events.push(this.finish(turn, end, false))
    }
  }

  private open(window: Float32Array, start: number): void {
    const from = Math.max(this.floor, start - this.prefix)
    const chunks: Float32Array[] = []
    for (const h of this.history) {
      if (h.start + h.audio.length <= from) continue
      const skip = Math.max(0, from - h.start)
      chunks.push(skip > 0 ? h.audio.subarray(skip) : h.audio)
    }
    this.history = []
    // History windows are contiguous up to this one, so the prefix ends where the window starts.
    const prefixLength = chunks.reduce((n, c) => n + c.length, 0)
    chunks.push(window)
    this.turn = {
      begin: start - prefixLength,
      onset: start,
      chunks,
      length: prefixLength + WINDOW,
      confirmed: false,
      voiced: WINDOW,
      lastVoicedEnd: start + WINDOW,
      silence: 0,
      sustained: false,
      paused: false,
    }
  }

  /** Keeps the last windows that prefix padding could reach. */
  private remember(audio: Float32Array, start: number): void {
    this.history.push({ start, audio })
    const keep = Math.ceil(this.prefix / WINDOW)
    if (this.history.length > keep) this.history.splice(0, this.history.length - keep)
  }

  private finish(turn: Turn, endSample: number, early: boolean): Extract<TurnEvent, { type: 'end' }> {
    this.turn = undefined
    this.floor = endSample
    return { type: 'end', beginMs: ms(turn.begin), endMs: ms(endSample), audio: this.audio(turn, endSample), early }
  }

  /** The turn's samples from its start up to stream position `endSample`. */
  private audio(turn: Turn, endSample: number): Float32Array {
    const length = Math.max(0, Math.min(turn.length, endSample - turn.begin))
    const out = new Float32Array(length)
    let at = 0
    for (const c of turn.chunks) {
      if (at >= length) break
      const n = Math.min(c.length, length - at)
      out.set(n === c.length ? c : c.subarray(0, n), at)
      at += n
    }
    return out
  }
}
