/**
 * Hume's streaming error and warning codes (dev.hume.ai "Errors": configuration errors E01xx,
 * media errors E02xx, warnings W01xx). A payload that fails gets one of these in an error or
 * warning message and the socket stays open; only protocol abuse (rate, size) closes it.
 */

/** Codes this server sends; the texts are Hume's descriptions, shortened. */
export const STREAM_CODES = {
  /** The message is not JSON. */
  invalidJson: 'E0100',
  /** The payload's structure is invalid (unknown or ill-typed field, missing data or models). */
  invalidPayload: 'E0101',
  /** A configured model cannot process this kind of media (or is not available in this build). */
  incompatibleModel: 'E0102',
  /** The media is not a file format the server reads. */
  unknownFormat: 'E0200',
  /** `data` is not base64. */
  badBase64: 'E0201',
  /** Audio models were configured but no audio could be decoded. */
  noAudio: 'E0202',
  audioTooLong: 'E0203',
  videoTooLong: 'E0204',
  imageTooLarge: 'E0205',
  textTooLong: 'E0206',
  /**
   * Not one of Hume's documented streaming codes: an unexpected server-side failure (Hume's
   * internal errors use the I-prefix). Clients should treat it as retryable.
   */
  internal: 'I0100',
} as const

export const STREAM_WARNINGS = {
  noBursts: 'W0101',
  noFacemeshes: 'W0102',
  noFaces: 'W0103',
  noLanguage: 'W0104',
  noSpeech: 'W0105',
} as const

export type StreamErrorCode = (typeof STREAM_CODES)[keyof typeof STREAM_CODES]
export type StreamWarningCode = (typeof STREAM_WARNINGS)[keyof typeof STREAM_WARNINGS]

/** Hume's documented per-payload bounds for the streaming endpoint. */
export const STREAM_LIMITS = {
  /** Characters of text in one payload. */
  textChars: 10_000,
  /** Seconds of audio in one payload (the carried-over window is not counted). */
  audioSeconds: 5,
  /** Seconds of video in one payload. */
  videoSeconds: 5,
  /** Largest image side, pixels (Hume: 3,000 x 3,000). */
  imageSide: 3000,
} as const

/** A payload that cannot be analysed: answered as `{ error, code }`, never thrown past the session. */
export class StreamFailure extends Error {
  constructor(
    readonly code: StreamErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'StreamFailure'
  }
}

export const streamFailures = {
  invalidJson: (detail: string) =>
    new StreamFailure(STREAM_CODES.invalidJson, `The payload is not valid JSON: ${detail}`),
  invalidPayload: (detail: string) => new StreamFailure(STREAM_CODES.invalidPayload, `Invalid payload: ${detail}`),
  unavailable: (models: string[]) =>
    new StreamFailure(
      STREAM_CODES.incompatibleModel,
      `${models.join(' and ')} ${models.length > 1 ? 'are' : 'is'} not available in this build`,
    ),
  incompatible: (models: string[], what: string) =>
    new StreamFailure(
      STREAM_CODES.incompatibleModel,
      `The configured model${models.length > 1 ? 's' : ''} (${models.join(', ')}) cannot process ${what}`,
    ),
  unknownFormat: (detail = 'the media could not be parsed into a known file format') =>
    new StreamFailure(STREAM_CODES.unknownFormat, detail),
  badBase64: () =>
    new StreamFailure(
      STREAM_CODES.badBase64,
      'data could not be decoded as base64; to send raw text, set raw_text to true',
    ),
  noAudio: (detail = 'no audio signal could be decoded from the media') =>
    new StreamFailure(STREAM_CODES.noAudio, detail),
  audioTooLong: (seconds: number | null) =>
    new StreamFailure(
      STREAM_CODES.audioTooLong,
      `Your audio is too long${seconds === null ? '' : ` (${round(seconds)} s)`}: the limit is ${STREAM_LIMITS.audioSeconds * 1000} milliseconds`,
    ),
  videoTooLong: (seconds: number | null) =>
    new StreamFailure(
      STREAM_CODES.videoTooLong,
      `Your video is too long${seconds === null ? '' : ` (${round(seconds)} s)`}: the limit is ${STREAM_LIMITS.videoSeconds * 1000} milliseconds; send frames as images instead`,
    ),
  imageTooLarge: () =>
    new StreamFailure(
      STREAM_CODES.imageTooLarge,
      `Your image is too large: the limit is ${STREAM_LIMITS.imageSide} x ${STREAM_LIMITS.imageSide} pixels`,
    ),
  textTooLong: (chars: number) =>
    new StreamFailure(
      STREAM_CODES.textTooLong,
      `Your text is too long (${chars} characters): the limit is ${STREAM_LIMITS.textChars} characters`,
    ),
  internal: (detail = 'the server failed to process this payload; send it again') =>
    new StreamFailure(STREAM_CODES.internal, detail),
}

/** Warnings: the payload was fine, but the model found nothing to measure. */
export const STREAM_WARNING_TEXT: Record<StreamWarningCode, string> = {
  W0101: 'No vocal bursts detected.',
  W0102: 'No facemeshes detected.',
  W0103: 'No faces detected.',
  W0104: 'No emotional language detected.',
  W0105: 'No speech detected.',
}

function round(s: number): number {
  return Math.round(s * 100) / 100
}
