/**
 * A problem with one piece of user media (corrupt, empty, too long, a format this server cannot
 * read). Its message is shown to the API user as a per-file error, so it says what is wrong with
 * the file in plain words and never leaks server paths or tool output verbatim.
 */
export type MediaErrorCode =
  'empty' | 'corrupt' | 'too_long' | 'too_large' | 'unsupported' | 'no_ffmpeg' | 'aborted' | 'tool_failed'

export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'MediaError'
  }
}

/** The message the brief fixes for a server without ffmpeg: it names the package to install. */
export const NO_FFMPEG_MESSAGE = 'video needs ffmpeg on the server (Debian: apt install ffmpeg)'

export const mediaErrors = {
  empty: (what = 'the file') => new MediaError('empty', `${what} is empty`),
  corrupt: (what: string, cause?: unknown) =>
    new MediaError('corrupt', `${what} could not be decoded: the file is corrupt or truncated`, { cause }),
  tooLong: (seconds: number | null, maxSeconds: number) =>
    new MediaError(
      'too_long',
      seconds === null
        ? `media is longer than the ${formatSeconds(maxSeconds)} limit`
        : `media lasts ${formatSeconds(seconds)}, over the ${formatSeconds(maxSeconds)} limit`,
    ),
  unsupported: (what: string) => new MediaError('unsupported', `${what} is not a supported media format`),
  noFfmpeg: () => new MediaError('no_ffmpeg', NO_FFMPEG_MESSAGE),
  aborted: (cause?: unknown) => new MediaError('aborted', 'media processing was cancelled', { cause }),
}

function formatSeconds(s: number): string {
  return s >= 120 ? `${Math.round(s / 60)} min` : `${Math.round(s * 10) / 10} s`
}
