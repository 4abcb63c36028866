// Maps an OpenAI speech request onto Prosodia's TTS request (PostedTts), so the one plan builder
// (TtsService.plan) resolves the voice, applies the instructions and records the generation.
import { errors } from '../../../shared/http/errors.js'
import type { AudioFormat } from '../audio-encoding.js'
import type { PostedTts, PostedUtteranceVoice } from '../tts.schemas.js'
import type { PostedSpeech } from './speech.schemas.js'

/** OpenAI's `pcm` is raw 24 kHz 16-bit little-endian mono; clients play it without a header to tell them. */
export const PCM_RATE = 24_000
/** The speeds the engines render (PostedUtterance.speed); OpenAI's 0.25–4 is clamped into it. */
export const SPEED_RANGE = { min: 0.5, max: 2 } as const

const SUPPORTED: readonly AudioFormat[] = ['mp3', 'wav', 'pcm']
const UNSUPPORTED = ['opus', 'aac', 'flac']

export interface SpeechRequest {
  posted: PostedTts
  format: AudioFormat
  /** `stream_format: "sse"`: base64 audio deltas as server-sent events instead of raw bytes. */
  sse: boolean
  /** The speed rendered, after clamping. */
  speed: number
}

function format(given: string | undefined): AudioFormat {
  const f = given ?? 'mp3'
  if ((SUPPORTED as readonly string[]).includes(f)) return f as AudioFormat
  const why = UNSUPPORTED.includes(f)
    ? `response_format "${f}" is not supported by this server (no ${f} encoder)`
    : `response_format "${f}" is not one of mp3, opus, aac, flac, wav, pcm`
  throw errors.invalidField(['body', 'response_format'], `${why}; use mp3, wav or pcm`)
}

function streamFormat(given: string | undefined): boolean {
  if (given === undefined || given === 'audio') return false
  if (given === 'sse') return true
  throw errors.invalidField(['body', 'stream_format'], `stream_format "${given}" is not one of audio, sse`)
}

export function toSpeechRequest(
  body: PostedSpeech,
  voice: PostedUtteranceVoice,
  limits: { maxRequestChars: number },
): SpeechRequest {
  if (body.input.trim() === '') throw errors.invalidField(['body', 'input'], 'input must not be empty')
  // The plan checks this too, but would name `utterances`, a field this API does not have.
  if (body.input.length > limits.maxRequestChars)
    throw errors.invalidField(
      ['body', 'input'],
      `input has ${body.input.length} characters; this server's limit is ${limits.maxRequestChars} (PROSODIA_TTS_MAX_REQUEST_CHARS)`,
    )
  const speed = Math.min(SPEED_RANGE.max, Math.max(SPEED_RANGE.min, body.speed ?? 1))
  const fmt = format(body.response_format)
  const sse = streamFormat(body.stream_format)
  return {
    format: fmt,
    sse,
    speed,
    posted: {
      utterances: [
        {
          text: body.input,
          voice,
          speed,
          // With a voice given, a description is acting direction (applyDelivery): OpenAI's instructions.
          ...(body.instructions?.trim() ? { description: body.instructions } : {}),
        },
      ],
      format: { type: fmt },
    },
  }
}
