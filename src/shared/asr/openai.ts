/**
 * Any OpenAI-compatible transcription endpoint (OpenAI, a self-hosted faster-whisper or
 * whisper.cpp server, …): `POST {base}/v1/audio/transcriptions` with the audio as a WAV upload and
 * `response_format=verbose_json` for word times. The operator configures the URL, but it still
 * goes through the SSRF guard, so a private address must be allow-listed explicitly.
 */
import { randomBytes } from 'node:crypto'
import { SafeFetchError, safeFetch } from '../net/safe-fetch.js'
import {
  AsrError,
  ASR_SAMPLE_RATE,
  type AsrCapabilities,
  type AsrProvider,
  type Transcript,
  type TranscriptWord,
} from './asr.js'
import { encodeWav16 } from './wav.js'
import { languageCode } from './whisper-languages.js'

export interface OpenAiAsrOptions {
  /** Server base URL, e.g. https://api.openai.com (a trailing /v1 is accepted too). */
  url: string
  apiKey?: string | undefined
  /** Model name the server expects (OpenAI: whisper-1). */
  model?: string
  /** Private hosts/CIDRs the URL may resolve to (the SSRF guard refuses them otherwise). */
  allowList?: readonly string[]
  /** Whole-request deadline, ms. Default 5 minutes: an hour of audio takes a while upstream. */
  timeoutMs?: number
  /** Largest accepted answer. Default 8 MiB (an hour of word-level JSON is a few MB). */
  maxResponseBytes?: number
  /** Whether the server returns per-word probabilities (faster-whisper does, OpenAI does not). */
  wordConfidence?: boolean
}

/** `{base}/v1/audio/transcriptions`, whether or not the base already ends in /v1. */
export function transcriptionsUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '')
  return /\/v1$/.test(trimmed) ? `${trimmed}/audio/transcriptions` : `${trimmed}/v1/audio/transcriptions`
}

export class OpenAiAsrProvider implements AsrProvider {
  readonly name = 'openai'
  readonly capabilities: AsrCapabilities
  private readonly endpoint: string

  constructor(private readonly opts: OpenAiAsrOptions) {
    this.endpoint = transcriptionsUrl(opts.url)
    this.capabilities = { languages: 'any', speakers: false, wordConfidence: opts.wordConfidence ?? false }
  }

  async transcribe(pcm16k: Float32Array, opts: { language?: string; signal?: AbortSignal } = {}): Promise<Transcript> {
    const boundary = `----prosodia${randomBytes(12).toString('hex')}`
    const fields: [string, string][] = [
      ['model', this.opts.model ?? 'whisper-1'],
      ['response_format', 'verbose_json'],
      ['timestamp_granularities[]', 'word'],
      ['timestamp_granularities[]', 'segment'],
    ]
    if (opts.language) fields.push(['language', opts.language])
    const body = multipart(boundary, fields, encodeWav16(pcm16k, ASR_SAMPLE_RATE))
    const headers: Record<string, string> = {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(body.length),
      accept: 'application/json',
    }
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`
    let res
    try {
      res = await safeFetch(this.endpoint, {
        method: 'POST',
        body,
        headers,
        allowList: this.opts.allowList ?? [],
        timeoutMs: this.opts.timeoutMs ?? 300_000,
        maxBytes: this.opts.maxResponseBytes ?? 8 * 1024 * 1024,
        maxRedirects: 0,
        ...(opts.signal && { signal: opts.signal }),
      })
    } catch (err) {
      throw fetchFailure(err, opts.signal)
    }
    if (res.status < 200 || res.status >= 300) {
      throw new AsrError('upstream', `transcription server answered HTTP ${res.status}${upstreamMessage(res.body)}`)
    }
    let json: unknown
    try {
      json = JSON.parse(res.body.toString('utf8'))
    } catch (err) {
      throw new AsrError('bad_response', 'transcription server answered with something that is not JSON', {
        cause: err,
      })
    }
    return parseVerboseJson(json)
  }
}

function multipart(boundary: string, fields: [string, string][], wav: Buffer): Buffer {
  const parts: Buffer[] = []
  for (const [name, value] of fields) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="audio.wav"\r\n` +
        'Content-Type: audio/wav\r\n\r\n',
    ),
    wav,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  )
  return Buffer.concat(parts)
}

function fetchFailure(err: unknown, signal: AbortSignal | undefined): AsrError {
  if (signal?.aborted) return new AsrError('aborted', 'transcription was cancelled', { cause: err })
  if (err instanceof SafeFetchError) {
    const reason = err.reason === 'timeout' ? 'timeout' : err.reason === 'too_large' ? 'bad_response' : 'upstream'
    return new AsrError(reason, `transcription server: ${err.message}`, { cause: err })
  }
  return new AsrError('upstream', 'transcription server could not be reached', { cause: err })
}

/** The server's own error message, when it sent an OpenAI-style `{error: {message}}` body. */
function upstreamMessage(body: Buffer): string {
  try {
    const j = JSON.parse(body.toString('utf8')) as { error?: { message?: unknown } | string }
    const m = typeof j.error === 'string' ? j.error : j.error?.message
    return typeof m === 'string' && m ? `: ${m.slice(0, 200)}` : ''
  } catch {
    return ''
  }
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)

/**
 * Reads a verbose_json answer. Word timings come from `words`; a server that only returns
 * `segments` gets each segment's time span shared out over its words by character length.
 */
export function parseVerboseJson(json: unknown): Transcript {
  if (typeof json !== 'object' || json === null) throw badShape('not an object')
  const j = json as Record<string, unknown>
  const text = typeof j.text === 'string' ? j.text.trim() : undefined
  if (text === undefined) throw badShape('no "text"')
  let words: TranscriptWord[] = []
  if (Array.isArray(j.words) && j.words.length > 0) {
    for (const w of j.words as Record<string, unknown>[]) {
      const t = typeof w?.word === 'string' ? w.word.trim() : ''
      if (!t || !finite(w.start) || !finite(w.end)) continue
      words.push({
        text: t,
        begin: Math.max(0, w.start),
        end: Math.max(w.start, w.end),
        confidence: finite(w.probability) && w.probability >= 0 && w.probability <= 1 ? w.probability : null,
        speaker: typeof w.speaker === 'string' ? w.speaker : null,
      })
    }
    if (words.length === 0) throw badShape('"words" holds no usable word')
  } else if (Array.isArray(j.segments)) {
    for (const s of j.segments as Record<string, unknown>[]) {
      if (typeof s?.text !== 'string' || !finite(s.start) || !finite(s.end)) continue
      words.push(...spread(s.text, Math.max(0, s.start), Math.max(s.start, s.end)))
    }
  }
  words = words.sort((a, b) => a.begin - b.begin)
  const confidences = words.map((w) => w.confidence).filter((c): c is number => c !== null)
  return {
    text: text || words.map((w) => w.text).join(' '),
    language: languageCode(j.language),
    confidence: confidences.length ? confidences.reduce((a, b) => a + b, 0) / confidences.length : null,
    words,
  }
}

function spread(text: string, begin: number, end: number): TranscriptWord[] {
  const tokens = text.trim().split(/\s+/).filter(Boolean)
  const chars = tokens.reduce((n, t) => n + t.length, 0)
  const out: TranscriptWord[] = []
  let at = begin
  for (const t of tokens) {
    const len = chars > 0 ? ((end - begin) * t.length) / chars : 0
    out.push({ text: t, begin: at, end: at + len, confidence: null, speaker: null })
    at += len
  }
  return out
}

function badShape(why: string): AsrError {
  return new AsrError('bad_response', `transcription server answered an unexpected JSON shape: ${why}`)
}
