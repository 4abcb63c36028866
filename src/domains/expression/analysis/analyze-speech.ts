/**
 * Speech in a file (16 kHz mono PCM) → prosody, language and NER predictions: speech regions from
 * the VAD, a transcript from the configured ASR provider, and the prosody model over the stretches
 * the granularity asks for. Runs inside a batch worker thread.
 */
import { AsrError, type AsrProvider, type Transcript, type TranscriptWord } from '../../../shared/asr/asr.js'
import { predictText } from '../batch.predict.js'
import type {
  InferencePrediction,
  LanguagePredictionWire,
  ProsodyPredictionWire,
  TranscriptionMetadataWire,
} from '../batch.schemas.js'
import type { ModelSelection } from '../batch.selection.js'
import { analyzeLanguage } from '../language/analyze.js'
import { toHumeEmotions } from '../language/emotion-scores.js'
import { TARGET_RATE as SAMPLE_RATE } from '../prosody/resample.js'
import type { LanguageModel } from '../language/language-model.js'
import { joinClose, sentenceGroups, TURN_PAUSE_S, windows, type Span } from './segments.js'
import {
  confidenceOf,
  round3,
  timedText,
  timeOf,
  transcriptConfidence,
  wordsBetween,
  wordsIn,
  type TimedText,
} from './transcript-text.js'

export interface SpeechModels {
  language(): LanguageModel
  prosody(): Promise<{ predict(pcm16k: Float32Array): { name: string; score: number }[] }>
  vad(): Promise<{ speechSegments(pcm16k: Float32Array, opts?: { signal?: AbortSignal }): Promise<Span[]> }>
  asr(): Promise<AsrProvider | null>
}

export interface SpeechResult {
  models: InferencePrediction['models']
  /** Problems worth telling the user that did not stop the file (e.g. a transcript that failed). */
  notes: string[]
}

type Models = InferencePrediction['models']
type Emotion = { name: string; score: number }

/** Hume groups speech predictions by speaker; without diarisation everything is speaker "unknown". */
function group<T>(predictions: T[], metadata: TranscriptionMetadataWire) {
  return { metadata, grouped_predictions: predictions.length > 0 ? [{ id: 'unknown', predictions }] : [] }
}

const MAX_WINDOWS = 20_000

/** Asks the provider for a transcript unless the request turned transcription off or nothing needs one. */
async function transcribe(
  pcm: Float32Array,
  sel: ModelSelection,
  models: SpeechModels,
  notes: string[],
  signal: AbortSignal,
): Promise<Transcript | null> {
  const needs =
    sel.language !== undefined || sel.ner !== undefined || (sel.prosody !== undefined && sel.prosody.window === null)
  if (!needs || sel.transcription === null) return null
  const language = sel.transcription?.language ?? undefined
  try {
    const asr = await models.asr()
    if (!asr) {
      if (sel.language || sel.ner)
        notes.push('no transcription provider is configured on this server (see PROSODIA_ASR)')
      return null
    }
    const t = await asr.transcribe(pcm, { language, signal })
    const threshold = sel.transcription?.confidenceThreshold ?? 0.5
    const confidence = transcriptConfidence(t)
    if (confidence !== null && confidence < threshold) {
      notes.push(`transcript confidence ${round3(confidence)} is below confidence_threshold ${threshold}; not used`)
      return null
    }
    return t
  } catch (err) {
    if (signal.aborted) throw signal.reason
    if (!(err instanceof AsrError)) throw err
    notes.push(`transcription failed: ${err.message}`)
    return null
  }
}

function metadataOf(t: Transcript | null): TranscriptionMetadataWire {
  if (!t) return null
  return { confidence: transcriptConfidence(t) ?? 1, detected_language: t.language }
}

function prosodySpans(
  sel: NonNullable<ModelSelection['prosody']>,
  duration: number,
  speech: Span[],
  words: TranscriptWord[] | null,
): Span[] {
  if (sel.window) return windows(duration, sel.window.length, sel.window.step, MAX_WINDOWS)
  // Hume: granularity is ignored without a transcript; utterances are what remains.
  if (words && words.length > 0) {
    if (sel.granularity === 'word') return words.map((w) => ({ begin: w.begin, end: w.end }))
    if (sel.granularity === 'sentence')
      return sentenceGroups(words).map((g) => ({ begin: g[0]!.begin, end: g[g.length - 1]!.end }))
  }
  if (sel.granularity === 'conversational_turn') return joinClose(speech, TURN_PAUSE_S)
  return speech
}

/** Very short stretches (a word of 80 ms) are measured with some context around them. */
const MIN_MEASURED_S = 0.5

function slice(pcm: Float32Array, s: Span): Float32Array {
  let { begin, end } = s
  if (end - begin < MIN_MEASURED_S) {
    const pad = (MIN_MEASURED_S - (end - begin)) / 2
    begin -= pad
    end += pad
  }
  const from = Math.max(0, Math.floor(begin * SAMPLE_RATE))
  const to = Math.min(pcm.length, Math.ceil(end * SAMPLE_RATE))
  return pcm.subarray(from, Math.max(from, to))
}

/** Language predictions over a transcript, each with the time its words were spoken. */
function languageOnSpeech(
  model: LanguageModel,
  tt: TimedText,
  granularity: NonNullable<ModelSelection['language']>['granularity'],
  speech: Span[],
): LanguagePredictionWire[] {
  const wire = (text: string, position: Span, ws: TranscriptWord[], emotions: Emotion[]): LanguagePredictionWire => ({
    text,
    position,
    time: timeOf(ws),
    confidence: confidenceOf(ws),
    speaker_confidence: null,
    emotions,
    sentiment: null,
    toxicity: null,
  })
  if (granularity === 'word') {
    return analyzeLanguage(model, tt.text, 'word').map((p) =>
      wire(p.text, p.position, wordsIn(tt, p.position.begin, p.position.end), p.emotions),
    )
  }
  // Sentences, utterances and turns of speech are groups of consecutive words.
  const words = tt.spans.map((s) => s.word)
  const groups =
    granularity === 'sentence'
      ? sentenceGroups(words)
      : (granularity === 'utterance' ? speech : joinClose(speech, TURN_PAUSE_S))
          .map((s) => wordsBetween(words, s.begin, s.end))
          .filter((g) => g.length > 0)
  const spanOf = new Map(tt.spans.map((s) => [s.word, s]))
  return groups.map((g) => {
    const first = spanOf.get(g[0]!)!
    const last = spanOf.get(g[g.length - 1]!)!
    const text = g.map((w) => w.text.trim()).join(' ')
    return wire(text, { begin: first.begin, end: last.end }, g, toHumeEmotions(model, model.predict(text)))
  })
}

export async function analyseSpeech(
  pcm: Float32Array,
  sel: ModelSelection,
  models: SpeechModels,
  signal: AbortSignal,
): Promise<SpeechResult> {
  const notes: string[] = []
  const out: Models = {}
  const duration = pcm.length / SAMPLE_RATE
  const vad = await models.vad()
  const speech = await vad.speechSegments(pcm, { signal })
  const transcript = speech.length > 0 ? await transcribe(pcm, sel, models, notes, signal) : null
  const words = transcript?.words.filter((w) => w.text.trim()) ?? null
  const metadata = metadataOf(transcript)

  if (sel.prosody) {
    const prosody = await models.prosody()
    const spans = speech.length === 0 && !sel.prosody.window ? [] : prosodySpans(sel.prosody, duration, speech, words)
    const preds: ProsodyPredictionWire[] = []
    for (const s of spans) {
      signal.throwIfAborted()
      const ws = words ? wordsBetween(words, s.begin, s.end) : []
      preds.push({
        text: ws.length > 0 ? ws.map((w) => w.text.trim()).join(' ') : null,
        time: { begin: round3(s.begin), end: round3(s.end) },
        confidence: confidenceOf(ws),
        speaker_confidence: null,
        emotions: prosody.predict(slice(pcm, s)),
      })
    }
    out.prosody = group(preds, metadata)
  }
  if ((sel.language || sel.ner) && words) {
    const tt = timedText(words)
    const model = models.language()
    if (sel.language) out.language = group(languageOnSpeech(model, tt, sel.language.granularity, speech), metadata)
    if (sel.ner) {
      const ner = predictText(model, tt.text, { ner: {} }).ner?.grouped_predictions[0]?.predictions ?? []
      const timed = ner.map((p) => {
        const ws = wordsIn(tt, p.position.begin, p.position.end)
        return { ...p, time: timeOf(ws), confidence: confidenceOf(ws) }
      })
      out.ner = group(timed, metadata)
    }
  } else if (sel.language || sel.ner) {
    // No words to read: the models ran and found nothing, which Hume reports as empty groups.
    if (sel.language) out.language = group([], metadata)
    if (sel.ner) out.ner = group([], metadata)
  }
  if (speech.length === 0) notes.push('no speech detected')
  return { models: out, notes }
}
