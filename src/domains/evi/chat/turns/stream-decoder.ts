/** A compressed audio stream decoded as it arrives (WebM in-process, other containers through ffmpeg). */

export interface StreamDecoder {
  /** Takes the next bytes; throws AudioInputError when it cannot (too much undecoded input, a broken stream). */
  write(bytes: Uint8Array): void
  /** Stops decoding and frees the decoder (kills the child process); nothing is emitted afterwards. */
  close(): void
}

export interface DecoderEvents {
  /** 16 kHz mono samples, in order. */
  onPcm(pcm16k: Float32Array): void
  /** The stream failed after `write` returned (asynchronous decoders); the decoder is closed. */
  onError(err: Error): void
}
