/**
 * One payload of /v0/stream/models, analysed inside a worker thread: decode `data`, decide what
 * it is, run the configured models that apply to it, and return the stream-shaped predictions
 * (or a coded error or warning) with the socket's updated context. Every problem with the
 * payload is a StreamFailure turned into an answer; only a broken server throws.
 */
import { randomUUID } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { codePointOffsets } from '../batch.predict.js'
import { analyzeLanguage, type Granularity } from '../language/analyze.js'
import type { LanguageModel } from '../language/language-model.js'
import type { RgbImage } from '../face/decode-image.js'
import type { DetectedFace } from '../face/face-model.js'
import type { MediaKind } from '../media/media-kind.js'
import {
  STREAM_LIMITS,
  STREAM_WARNINGS,
  STREAM_WARNING_TEXT,
  StreamFailure,
  streamFailures,
  type StreamWarningCode,
} from './stream.codes.js'
import { classifyPayload, decodeBase64 } from './stream.decode.js'
import { assignFace, type KnownFaces } from './stream.identity.js'
import type {
  EmotionScore,
  StreamFacePrediction,
  StreamGranularity,
  StreamModelOutputs,
  StreamOutcome,
  StreamProsodyPrediction,
} from './stream.schemas.js'

const RATE = 16_000

/** The models a payload runs, resolved from `models` with Hume's defaults filled in. */
export interface StreamSelection {
  face?: { probThreshold: number; minFaceSize: number; identifyFaces: boolean; fpsPred: number }
  prosody?: Record<string, never>
  language?: { granularity: StreamGranularity }
}

/** What a socket remembers between payloads. */
export interface StreamContext {
  /** The last seconds of audio analysed (16 kHz mono), prepended to the next audio payload. */
  audio: Float32Array
  faces: KnownFaces
}

export interface AnalyzeInput {
  data: string
  rawText: boolean
  sel: StreamSelection
  windowMs: number
  context: StreamContext
}

export interface AnalyzeResult {
  outcome: StreamOutcome
  context: StreamContext
}

type Span = { begin: number; end: number }

export interface VideoFrameLike {
  index: number
  time: number
  image: RgbImage
}

/** The models and decoders a thread provides (real ones in stream.engines.ts; tests may fake them). */
export interface StreamEngines {
  language(): LanguageModel
  face(): Promise<{
    detect(
      img: RgbImage,
      o: { probThreshold: number; minFaceSize: number; descriptors: boolean },
      signal?: AbortSignal,
    ): Promise<DetectedFace[]>
  }>
  prosody(): Promise<{ predict(pcm16k: Float32Array): EmotionScore[] }>
  vad(): Promise<{ speechSegments(pcm16k: Float32Array, o?: { signal?: AbortSignal }): Promise<Span[]> }>
  /** An image to RGB; throws StreamFailure (E0200/E0205) for bad or oversized images. */
  decodeImage(bytes: Buffer): Promise<RgbImage>
  /** Audio bytes to 16 kHz mono; throws StreamFailure (E0202/E0203). */
  decodeAudio(bytes: Buffer, o: { maxSeconds: number; signal: AbortSignal }): Promise<Float32Array>
  /** Whether a container that may hold video (MP4, WebM, Ogg) really does. */
  resolveKind(file: string, sniffed: MediaKind, signal: AbortSignal): Promise<MediaKind>
  /** A video file's frames at `fps` (E0204 past maxSeconds) and its audio track (null if none). */
  videoFrames(file: string, o: { fps: number; maxSeconds: number; signal: AbortSignal }): AsyncIterable<VideoFrameLike>
  videoAudio(
    file: string,
    o: { maxSeconds: number; signal: AbortSignal; kind: 'audio' | 'video' },
  ): Promise<Float32Array | null>
  /** Scratch directory for video, which ffmpeg reads from a file. */
  tmpDir: string
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

export async function analyzePayload(
  input: AnalyzeInput,
  engines: StreamEngines,
  signal: AbortSignal,
): Promise<AnalyzeResult> {
  const context = input.context
  try {
    const outcome = input.rawText
      ? textOutcome(input.data, input.sel, engines)
      : await mediaOutcome(input, engines, signal)
    return { outcome, context }
  } catch (err) {
    if (err instanceof StreamFailure) return { outcome: { kind: 'error', code: err.code, error: err.message }, context }
    throw err
  }
}

const DESCRIBE: Record<MediaKind['fileType'] | 'text', string> = {
  image: 'an image',
  audio: 'audio',
  video: 'video',
  text: 'text',
}

/** The configured models a kind of input supports; E0102 when none of them does. */
function applicable(sel: StreamSelection, kind: keyof typeof DESCRIBE): (keyof StreamSelection)[] {
  const supports: Record<keyof typeof DESCRIBE, (keyof StreamSelection)[]> = {
    image: ['face'],
    audio: ['prosody'],
    video: ['face', 'prosody'],
    text: ['language'],
  }
  const configured = (Object.keys(sel) as (keyof StreamSelection)[]).filter((k) => sel[k] !== undefined)
  const run = configured.filter((m) => supports[kind].includes(m))
  if (run.length === 0) throw streamFailures.incompatible(configured, DESCRIBE[kind])
  return run
}

function textOutcome(text: string, sel: StreamSelection, engines: StreamEngines): StreamOutcome {
  applicable(sel, 'text')
  const chars = [...text].length
  if (chars > STREAM_LIMITS.textChars) throw streamFailures.textTooLong(chars)
  const g = sel.language!.granularity
  // Hume's "passage" is one prediction for the whole text: the batch model's conversational_turn.
  const granularity: Granularity = g === 'passage' ? 'conversational_turn' : g
  const at = codePointOffsets(text)
  const predictions = analyzeLanguage(engines.language(), text, granularity).map((p) => ({
    text: p.text,
    position: { begin: at(p.position.begin), end: at(p.position.end) },
    emotions: p.emotions,
  }))
  return finish({ language: { predictions } })
}

async function mediaOutcome(input: AnalyzeInput, engines: StreamEngines, signal: AbortSignal): Promise<StreamOutcome> {
  const bytes = decodeBase64(input.data)
  const what = classifyPayload(bytes)
  if (what.kind === 'text') return textOutcome(what.text, input.sel, engines)
  const { sel } = input
  switch (what.media.fileType) {
    case 'image': {
      applicable(sel, 'image')
      const img = await engines.decodeImage(bytes)
      return finish({ face: { predictions: await facesIn(img, 0, 0, input, engines, signal) } })
    }
    case 'audio': {
      applicable(sel, 'audio')
      const pcm = await engines.decodeAudio(bytes, { maxSeconds: STREAM_LIMITS.audioSeconds, signal })
      return finish({ prosody: { predictions: await prosodyOf(pcm, input, engines, signal) } })
    }
    case 'video':
      return videoOutcome(bytes, what.media, input, engines, signal)
  }
}

async function videoOutcome(
  bytes: Buffer,
  sniffed: MediaKind,
  input: AnalyzeInput,
  engines: StreamEngines,
  signal: AbortSignal,
): Promise<StreamOutcome> {
  const file = path.join(engines.tmpDir, `stream-${randomUUID()}`)
  await writeFile(file, bytes)
  try {
    const kind = await engines.resolveKind(file, sniffed, signal)
    // An audio-only container (a browser's webm/opus recording, an .m4a) is audio.
    if (kind.fileType === 'audio') {
      applicable(input.sel, 'audio')
      const pcm = await engines.videoAudio(file, { maxSeconds: STREAM_LIMITS.audioSeconds, signal, kind: 'audio' })
      if (!pcm) throw streamFailures.noAudio()
      return finish({ prosody: { predictions: await prosodyOf(pcm, input, engines, signal) } })
    }
    const run = applicable(input.sel, 'video')
    const out: StreamModelOutputs = {}
    if (run.includes('face')) {
      const face = input.sel.face!
      const predictions: StreamFacePrediction[] = []
      const frames = engines.videoFrames(file, { fps: face.fpsPred, maxSeconds: STREAM_LIMITS.videoSeconds, signal })
      for await (const f of frames)
        predictions.push(...(await facesIn(f.image, f.index, f.time, input, engines, signal)))
      out.face = { predictions }
    }
    if (run.includes('prosody')) {
      const pcm = await engines.videoAudio(file, { maxSeconds: STREAM_LIMITS.videoSeconds, signal, kind: 'video' })
      // "If the video has no audio, then models like Speech Prosody ... will not be available."
      if (!pcm && !out.face) throw streamFailures.incompatible(['prosody'], 'video without an audio track')
      if (pcm) out.prosody = { predictions: await prosodyOf(pcm, input, engines, signal) }
    }
    return finish(out)
  } finally {
    await rm(file, { force: true })
  }
}

async function facesIn(
  img: RgbImage,
  frame: number,
  time: number,
  input: AnalyzeInput,
  engines: StreamEngines,
  signal: AbortSignal,
): Promise<StreamFacePrediction[]> {
  const sel = input.sel.face!
  const model = await engines.face()
  const faces = await model.detect(
    img,
    { probThreshold: sel.probThreshold, minFaceSize: sel.minFaceSize, descriptors: sel.identifyFaces },
    signal,
  )
  return faces.map((f) => ({
    frame,
    time: round3(time),
    bbox: { x: round3(f.box.x), y: round3(f.box.y), w: round3(f.box.w), h: round3(f.box.h) },
    prob: f.prob,
    face_id: sel.identifyFaces && f.descriptor ? assignFace(input.context.faces, f.descriptor) : 'unknown',
    emotions: f.emotions,
  }))
}

/** The longest window a payload may ask for; the carried audio never exceeds it. */
const MAX_CARRY = 10 * RATE

/**
 * Prosody over the payload's audio with up to `stream_window_ms` of earlier audio in front of it
 * (Hume: a 600 ms window after two 500 ms payloads analyses the whole second payload and the
 * last 100 ms of the first). Times are seconds from the start of that window.
 */
async function prosodyOf(
  pcm: Float32Array,
  input: AnalyzeInput,
  engines: StreamEngines,
  signal: AbortSignal,
): Promise<StreamProsodyPrediction[]> {
  const carry = input.context.audio
  const want = Math.round((input.windowMs / 1000) * RATE)
  const prepend = Math.min(carry.length, Math.max(0, want - pcm.length))
  const window = new Float32Array(prepend + pcm.length)
  window.set(carry.subarray(carry.length - prepend), 0)
  window.set(pcm, prepend)
  const kept = new Float32Array(Math.min(MAX_CARRY, carry.length + pcm.length))
  const tail = kept.length - Math.min(kept.length, pcm.length)
  kept.set(carry.subarray(carry.length - tail), 0)
  kept.set(pcm.subarray(pcm.length - (kept.length - tail)), tail)
  input.context.audio = kept

  const [vad, model] = await Promise.all([engines.vad(), engines.prosody()])
  const segments = await vad.speechSegments(window, { signal })
  return segments.map((s) => {
    signal.throwIfAborted()
    const clip = window.subarray(Math.floor(s.begin * RATE), Math.ceil(s.end * RATE))
    return { time: { begin: round3(s.begin), end: round3(s.end) }, emotions: model.predict(clip) }
  })
}

const EMPTY_WARNING: Record<keyof StreamModelOutputs, StreamWarningCode> = {
  face: STREAM_WARNINGS.noFaces,
  prosody: STREAM_WARNINGS.noSpeech,
  language: STREAM_WARNINGS.noLanguage,
}

/**
 * Predictions, or Hume's warning when every model that ran found nothing (no face, no speech,
 * no words). A model that found nothing beside one that found something answers an empty list.
 */
function finish(out: StreamModelOutputs): StreamOutcome {
  const ran = Object.keys(out) as (keyof StreamModelOutputs)[]
  if (ran.length > 0 && ran.every((m) => (out[m]?.predictions.length ?? 0) === 0)) {
    const code = EMPTY_WARNING[ran[0]!]
    return { kind: 'warning', code, warning: ran.map((m) => STREAM_WARNING_TEXT[EMPTY_WARNING[m]]).join(' ') }
  }
  return { kind: 'predictions', models: out }
}
