// The neural engine: Kokoro-82M (Apache-2.0) on onnxruntime-node. Weights are not shipped:
// `npx prosodia models pull kokoro` puts them in PROSODIA_MODELS_DIR/kokoro/model.onnx.
// Inputs: input_ids int64 [1, N+2] (pads around N phoneme tokens), style float32 [1, 256]
// (row N of the voice's style table), speed float32 [1]; output: waveform float32 at 24 kHz.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type * as Ort from 'onnxruntime-node'
import { clamp, type PcmChunk, type SynthesisInput, type TtsEngine, type VoiceSpec, type WordTiming } from './engine.js'
import { MAX_PHONEME_TOKENS, tokenize, toPhonemes } from './kokoro-phonemes.js'
import { blendedStyle, STYLE_DIM } from './kokoro-voices.js'
import { resample } from './resample.js'
import { splitChunks } from './text.js'

const SAMPLE_RATE = 24000

/** The model file `models pull kokoro` writes, if present. */
export function kokoroModelPath(modelsDir: string): string | undefined {
  const path = join(modelsDir, 'kokoro', 'model.onnx')
  return existsSync(path) ? path : undefined
}

/**
 * Kokoro has no duration output, so timings are estimated: the audio span is divided in
 * proportion to each word's phoneme count (espeak separates words by spaces).
 */
export function estimateTimings(
  words: string[],
  phonemes: string,
  durationMs: number,
): { words: WordTiming[]; phones: WordTiming[] } {
  const groups = phonemes.split(/\s+/).filter((g) => /[^\p{P}\s]/u.test(g))
  const chars = [...phonemes].filter((c) => !/[\s\p{P}ˈˌ]/u.test(c))
  const perChar = chars.length > 0 ? durationMs / chars.length : 0
  const phones = chars.map((c, i) => ({
    text: c,
    beginMs: Math.round(i * perChar),
    endMs: Math.round((i + 1) * perChar),
  }))
  const lengths = groups.map((g) => [...g].filter((c) => !/[\p{P}ˈˌ]/u.test(c)).length)
  const total = lengths.reduce((a, b) => a + b, 0) || 1
  let t = 0
  const timed = words.map((text, i) => {
    // When espeak merged or split words, the leftover share goes to the last word.
    const share = i < lengths.length ? (lengths[i] ?? 0) / total : 0
    const begin = t
    t = i === words.length - 1 ? durationMs : t + share * durationMs
    return { text, beginMs: Math.round(begin), endMs: Math.round(t) }
  })
  return { words: timed, phones }
}

export class KokoroEngine implements TtsEngine {
  readonly name = 'kokoro' as const
  readonly sampleRate = SAMPLE_RATE
  private session: Ort.InferenceSession | undefined
  private ort: typeof Ort | undefined
  private loading: Promise<void> | undefined

  constructor(private readonly modelPath: string) {}

  load(): Promise<void> {
    this.loading ??= (async () => {
      // The native runtime is loaded only when Kokoro is actually selected.
      const ort: typeof Ort = await import('onnxruntime-node')
      this.ort = ort
      // Two intra-op threads: these machines have two cores, and a second request queues anyway.
      const session = await ort.InferenceSession.create(this.modelPath, { intraOpNumThreads: 2, interOpNumThreads: 1 })
      for (const name of ['input_ids', 'style', 'speed']) {
        if (!session.inputNames.includes(name))
          throw new Error(`${this.modelPath} is not a Kokoro model: no input "${name}"`)
      }
      this.session = session
    })()
    return this.loading
  }

  async close(): Promise<void> {
    await this.session?.release()
    this.session = undefined
    this.loading = undefined
  }

  async *synthesize(input: SynthesisInput, signal?: AbortSignal): AsyncIterable<PcmChunk> {
    await this.load()
    const chunks = splitChunks(input.text)
    for (const [i, text] of chunks.entries()) {
      signal?.throwIfAborted()
      const phonemes = await toPhonemes(text)
      // A chunk past the context (rare: 180 characters is ~200 tokens) is split again by words.
      const parts =
        tokenize(phonemes).length >= MAX_PHONEME_TOKENS ? splitChunks(text, 12, Math.floor(text.length / 2)) : [text]
      for (const [j, part] of parts.entries()) {
        signal?.throwIfAborted()
        const chunk = await this.renderChunk(
          part,
          parts.length === 1 ? phonemes : await toPhonemes(part),
          input.voice,
          input.speed,
        )
        yield { ...chunk, last: i === chunks.length - 1 && j === parts.length - 1 }
      }
    }
    signal?.throwIfAborted()
  }

  /** One model run. Exposed so the benchmark can time the library alone. */
  async renderChunk(text: string, phonemes: string, voice: VoiceSpec, speed: number): Promise<Omit<PcmChunk, 'last'>> {
    const session = this.session
    const ort = this.ort
    if (!session || !ort) throw new Error('KokoroEngine.load() has not completed')
    const tokens = tokenize(phonemes)
    const ids = BigInt64Array.from([0, ...tokens, 0], (x) => BigInt(x))
    const style = await blendedStyle(voice.kokoro, tokens.length)
    // Kokoro has no pitch input: render faster by the pitch ratio, then resample back to length.
    const pitchRatio = 2 ** (clamp(voice.pitch, -12, 12) / 12)
    const modelSpeed = clamp((voice.rate * speed) / pitchRatio, 0.25, 4)
    const out = await session.run({
      input_ids: new ort.Tensor('int64', ids, [1, ids.length]),
      style: new ort.Tensor('float32', style, [1, STYLE_DIM]),
      speed: new ort.Tensor('float32', Float32Array.of(modelSpeed), [1]),
    })
    const waveform = out.waveform ?? Object.values(out)[0]
    if (!waveform) throw new Error('Kokoro model returned no waveform')
    const samples = resample(Float32Array.from(waveform.data as Float32Array), pitchRatio)
    const gain = clamp(voice.energy, 0.3, 1.8)
    for (let i = 0; i < samples.length; i++) samples[i] = clamp(samples[i]! * gain, -1, 1)
    const words = text
      .split(/\s+/)
      .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
      .filter(Boolean)
    const timing = estimateTimings(words, phonemes, (samples.length / SAMPLE_RATE) * 1000)
    return { samples, text, words: timing.words, phones: timing.phones }
  }
}
