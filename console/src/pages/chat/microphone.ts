import { bytesToBase64 } from '../../../../src/client/index.js'

/** MediaRecorder delivers a chunk this often: short enough for turn detection, long enough to stay cheap. */
export const TIMESLICE_MS = 200
/** Containers the server decodes, in order of preference (WebM/Opus in-process; the others through ffmpeg). */
const MIME_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4']

/**
 * The user's microphone, recorded with MediaRecorder: each timeslice's bytes (one continuous WebM stream,
 * its header in the first chunk) go to `send` as base64, in order. Muting disables the track, so the
 * recorder goes on sending silence, which is what tells the server's turn detection that a turn has ended.
 */
export class Microphone {
  private chain: Promise<void> = Promise.resolve()

  private constructor(
    private readonly stream: MediaStream,
    private readonly recorder: MediaRecorder,
  ) {}

  static async open(send: (base64: string) => void, onError: (error: unknown) => void): Promise<Microphone> {
    if (!navigator.mediaDevices?.getUserMedia)
      throw new Error('This browser gives no microphone access here (it needs https or localhost)')
    const mimeType = MIME_TYPES.find((t) => MediaRecorder.isTypeSupported(t))
    if (!mimeType) throw new Error('This browser cannot record audio in a format the server decodes (WebM, Ogg or MP4)')
    // Echo cancellation keeps the assistant's own voice, played on the speakers, from interrupting it.
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    })
    const recorder = new MediaRecorder(stream, { mimeType })
    const mic = new Microphone(stream, recorder)
    recorder.ondataavailable = (event) => {
      if (event.data.size === 0) return
      // Blob reads are async: chaining them keeps the stream's bytes in order.
      mic.chain = mic.chain
        .then(async () => send(bytesToBase64(new Uint8Array(await event.data.arrayBuffer()))))
        .catch(onError)
    }
    recorder.start(TIMESLICE_MS)
    return mic
  }

  set muted(muted: boolean) {
    for (const track of this.stream.getAudioTracks()) track.enabled = !muted
  }

  stop(): void {
    if (this.recorder.state !== 'inactive') this.recorder.stop()
    for (const track of this.stream.getTracks()) track.stop()
  }
}
