// The embedded engine: flite (BSD) compiled to WASI, so speech works offline right after
// `npm install`. Voices slt (US female), rms (US male), awb (Scottish male), kal (US male).
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import {
  clamp,
  type FliteVoice,
  type PcmChunk,
  type SynthesisInput,
  type TtsEngine,
  type VoiceSpec,
  type WordTiming,
} from './engine.js'
import { FliteRuntime } from './flite-wasi.js'
import { resample } from './resample.js'
import { splitChunks, splitHead, wordTokens } from './text.js'
import { wordTimings, type TimedPhone } from './word-align.js'

const SAMPLE_RATE = 16000

interface FliteVoiceInfo {
  /** Name inside flite.wasm; "kal" is the 8 kHz diphone voice, "kal16" its 16 kHz build. */
  builtin: string
  /** Natural mean F0 in Hz, measured on this build; pitch shifts are relative to it. */
  f0: number
  /** rms ignores F0 targets, so its pitch is shifted by resampling instead. */
  resamplePitch: boolean
}

const VOICES: Record<FliteVoice, FliteVoiceInfo> = {
  slt: { builtin: 'slt', f0: 170, resamplePitch: false },
  rms: { builtin: 'rms', f0: 100, resamplePitch: true },
  awb: { builtin: 'awb', f0: 120, resamplePitch: false },
  kal: { builtin: 'kal16', f0: 96, resamplePitch: false },
}

/** Phones come from the shared CMU lexicon, so the cheapest voice (diphone kal16) gives them fastest. */
const LEXICON_VOICE = 'kal16'

export function parseWav16(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let off = 12
  while (off + 8 <= bytes.length) {
    const id = String.fromCharCode(bytes[off]!, bytes[off + 1]!, bytes[off + 2]!, bytes[off + 3]!)
    const size = view.getUint32(off + 4, true)
    if (id === 'data') {
      const n = Math.floor(Math.min(size, bytes.length - off - 8) / 2)
      const out = new Float32Array(n)
      for (let i = 0; i < n; i++) out[i] = view.getInt16(off + 8 + i * 2, true) / 32768
      return out
    }
    off += 8 + size + (size & 1)
  }
  throw new Error('flite produced no WAV data chunk')
}

/** Parses `-psdur` output ("pau:0.164 hh:0.255 ..."): end times per phone, restarting per utterance. */
export function parsePhoneDurations(stdout: string): TimedPhone[] {
  const out: TimedPhone[] = []
  let offset = 0
  let prevEnd = 0
  for (const line of stdout.split('\n')) {
    const items = line.trim().split(/\s+/).filter(Boolean)
    if (items.length === 0) continue
    // flite prints one line per utterance with times restarting at zero.
    offset = prevEnd
    let begin = offset
    for (const item of items) {
      const sep = item.lastIndexOf(':')
      const end = offset + Number(item.slice(sep + 1)) * 1000
      out.push({ phone: item.slice(0, sep), beginMs: begin, endMs: end })
      begin = end
      prevEnd = end
    }
  }
  return out
}

type Trim = 'start' | 'end'

/** Silence kept where a pause is cut, so the cut lands in silence rather than on a phone edge. */
const PAUSE_KEEP_MS = 15

/** Cuts flite's utterance-initial or utterance-final pause (all but PAUSE_KEEP_MS of it). */
export function trimPause(
  samples: Float32Array,
  phones: TimedPhone[],
  trim: Trim,
): { samples: Float32Array; phones: TimedPhone[] } {
  const msToSamples = (ms: number) => Math.round((ms * SAMPLE_RATE) / 1000)
  if (trim === 'end') {
    const pau = phones.at(-1)
    if (pau?.phone !== 'pau') return { samples, phones }
    const endMs = pau.beginMs + PAUSE_KEEP_MS
    return {
      samples: samples.subarray(0, Math.min(samples.length, msToSamples(endMs))),
      phones: [...phones.slice(0, -1), { ...pau, endMs: Math.min(pau.endMs, endMs) }],
    }
  }
  const pau = phones[0]
  if (pau?.phone !== 'pau') return { samples, phones }
  const cutMs = Math.max(0, pau.endMs - PAUSE_KEEP_MS)
  return {
    samples: samples.subarray(Math.min(samples.length, msToSamples(cutMs))),
    phones: phones.map((p) => ({ ...p, beginMs: Math.max(0, p.beginMs - cutMs), endMs: Math.max(0, p.endMs - cutMs) })),
  }
}

export class FliteEngine implements TtsEngine {
  readonly name = 'flite' as const
  readonly sampleRate = SAMPLE_RATE
  private runtime: FliteRuntime | undefined
  private loading: Promise<void> | undefined

  load(): Promise<void> {
    this.loading ??= (async () => {
      const rt = await FliteRuntime.create()
      // The first runs per voice go through V8's baseline tier (~10x slower); pay that at boot.
      for (const v of Object.values(VOICES)) rt.run(['-voice', v.builtin, '-t', 'Warm up.', '-o', 'none'])
      this.runtime = rt
    })()
    return this.loading
  }

  async close(): Promise<void> {
    this.runtime = undefined
    this.loading = undefined
  }

  async *synthesize(input: SynthesisInput, signal?: AbortSignal): AsyncIterable<PcmChunk> {
    await this.load()
    const pieces: { text: string; trim?: Trim }[] = splitChunks(input.text).map((text) => ({ text }))
    const head = input.quickStart && pieces[0] ? splitHead(pieces[0].text) : undefined
    // A first clause of ~3 s costs ~80 ms to render; its first four words cost a third of that.
    // The two halves are separate flite utterances, so the pauses flite puts around each are cut
    // where they meet. The price of the earlier first byte: intonation restarts there and the
    // head's last word gets utterance-final lengthening (~0.3 s longer in total on a test sentence).
    if (head) pieces.splice(0, 1, { text: head[0], trim: 'end' }, { text: head[1], trim: 'start' })
    for (const [i, piece] of pieces.entries()) {
      signal?.throwIfAborted()
      yield {
        ...this.renderChunk(piece.text, input.voice, input.speed, input.words, piece.trim),
        last: i === pieces.length - 1,
      }
      // Each chunk is a synchronous ~10-30 ms run; give other requests the event loop between them.
      await yieldToLoop()
    }
    signal?.throwIfAborted()
  }

  /** Renders one chunk synchronously. Exposed so the benchmark can time the library alone. */
  renderChunk(text: string, voice: VoiceSpec, speed: number, words: boolean, trim?: Trim): Omit<PcmChunk, 'last'> {
    const rt = this.runtime
    if (!rt) throw new Error('FliteEngine.load() has not completed')
    const info = VOICES[voice.flite]
    const pitchRatio = 2 ** (clamp(voice.pitch, -12, 12) / 12)
    const pace = clamp(voice.rate * speed, 0.25, 4)
    // Resampling by r raises pitch by r and shortens by r, so stretch by r first to keep the pace.
    const stretch = (1 / pace) * (info.resamplePitch ? pitchRatio : 1)
    const args = ['-voice', info.builtin, '--setf', `duration_stretch=${stretch.toFixed(4)}`]
    if (!info.resamplePitch) {
      const mean = info.f0 * pitchRatio
      args.push('--setf', `int_f0_target_mean=${mean.toFixed(1)}`)
      // Energy widens or flattens intonation; 13% of the mean is close to flite's own range.
      args.push('--setf', `int_f0_target_stddev=${(mean * 0.13 * clamp(voice.energy, 0.3, 1.8)).toFixed(1)}`)
    }
    args.push('-psdur', '-t', text, '-o', '/out.wav')
    const run = rt.run(args)
    const wav = run.files.get('out.wav')
    if (run.exitCode !== 0 || !wav) throw new Error(`flite failed (exit ${run.exitCode})`)
    let samples = parseWav16(wav)
    let phones = parsePhoneDurations(run.stdout)
    if (info.resamplePitch && pitchRatio !== 1) {
      samples = resample(samples, pitchRatio)
      phones = phones.map((p) => ({ ...p, beginMs: p.beginMs / pitchRatio, endMs: p.endMs / pitchRatio }))
    }
    if (trim) ({ samples, phones } = trimPause(samples, phones, trim))
    const gain = 0.9 * clamp(voice.energy, 0.3, 1.8)
    for (let i = 0; i < samples.length; i++) samples[i] = clamp(samples[i]! * gain, -1, 1)
    const spoken = phones.filter((ph) => ph.phone !== 'pau')
    return {
      samples,
      text,
      words: words ? this.words(text, spoken) : [],
      phones: spoken.map((ph) => ({ text: ph.phone, beginMs: Math.round(ph.beginMs), endMs: Math.round(ph.endMs) })),
    }
  }

  private words(text: string, spoken: TimedPhone[]): WordTiming[] {
    const tokens = wordTokens(text)
    if (tokens.length === 0) return []
    // Commas force a pause between tokens, so the pause-separated groups are per-word phones.
    const run = this.runtime!.run(['-voice', LEXICON_VOICE, '-ps', '-t', tokens.join(', '), '-o', 'none'])
    const groups = run.stdout
      .trim()
      .split(/\s*\bpau\b\s*/)
      .filter(Boolean)
      .map((g) => g.split(/\s+/))
    // A token with inner punctuation ("5:30pm") can yield two groups; then alignment alone decides.
    const perWord = groups.length === tokens.length ? groups : tokens.map(() => [])
    if (perWord.every((g) => g.length === 0)) return evenly(tokens, spoken)
    return wordTimings(tokens, perWord, spoken)
  }
}

/** Fallback: spread words over the spoken span in proportion to their length. */
function evenly(tokens: string[], spoken: TimedPhone[]): WordTiming[] {
  const begin = spoken[0]?.beginMs ?? 0
  const end = spoken.at(-1)?.endMs ?? begin
  const total = tokens.reduce((n, t) => n + t.length, 0)
  let t = begin
  return tokens.map((text) => {
    const d = ((end - begin) * text.length) / total
    const w = { text, beginMs: Math.round(t), endMs: Math.round(t + d) }
    t += d
    return w
  })
}
