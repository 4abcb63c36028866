/**
 * The user's side of a chat: audio_input decoded to 16 kHz, recorded, and fed to the turn
 * detector; each turn transcribed and measured (prosody) and handed on in order. At a short pause
 * the turn so far is transcribed speculatively: with verbose_transcription that is an interim
 * user_message, and when the words and the falling pitch say the user has finished, the turn ends
 * there instead of after the full end-of-turn silence (the transcript is then already done).
 */
import { AsrError, type AsrProvider } from '../../../shared/asr/asr.js'
import type { StreamingRecognizer } from '../../../shared/asr/pocketsphinx-stream.js'
import type { ChatRecorder } from '../history/history.types.js'
import { CHAT_ERRORS } from './chat.codes.js'
import type { ChatCore } from './chat.core.js'
import type { ChatDeps } from './chat.deps.js'
import { serverMessages as out } from './chat.messages.js'
import { END_PADDING_MS } from './turns/turn-detector.js'
import type { AudioInput, AudioInputFormat, TurnDetector, TurnEvent, TurnSettings } from './turns/turns.types.js'

/** Audio waiting for the detector, in 16 kHz samples: past this the client sends faster than we listen. */
export const MAX_AUDIO_BACKLOG_SAMPLES = 16_000 * 30
const SAMPLES_PER_MS = 16
/** How long a turn's end waits for the live recogniser to finalise its words before transcribing the audio itself. */
export const LIVE_ASR_WAIT_MS = 1500
/** How long a turn's end gives the live recogniser before transcribing the turn's audio alongside. */
export const LIVE_ASR_HEADSTART_MS = 700
/** The live recogniser has not finalised the turn (yet). */
const NOT_YET = Symbol('not yet')

type Transcribed = { text: string; language?: string }
/** A pause's speculative transcript waits less: the turn's full end-of-turn silence is coming anyway. */
const LIVE_ASR_PAUSE_WAIT_MS = 800

/** Where the speech of a turn's audio ends, in stream ms (the audio keeps END_PADDING_MS after it). */
const speechEnd = (beginMs: number, audio: Float32Array) => beginMs + audio.length / SAMPLES_PER_MS - END_PADDING_MS

export interface UserTurn {
  text: string
  beginMs: number
  endMs: number
  scores?: Record<string, number>
  language?: string
  /** Wall-clock time the user stopped speaking, and when the transcript was ready. */
  endOfSpeech: number
  transcriptAt: number
  early: boolean
}

export interface ListenerHandlers {
  onSpeechStart(): void
  /** The user has spoken min_interruption_ms in this turn. */
  onSustainedSpeech(atMs: number): void
  onTurn(turn: UserTurn): void
}

interface Speculation {
  seq: number
  transcript: Promise<{ text: string; language?: string } | undefined>
  /** Prosody of the turn so far: the pause's audio is the turn's speech, so the end reuses it. */
  scores: Promise<Record<string, number> | undefined>
}

export class Listener {
  private input: AudioInput | undefined
  private detector: TurnDetector | undefined
  private chain: Promise<unknown> = Promise.resolve()
  private turns: Promise<unknown> = Promise.resolve()
  private backlog = 0
  private seq = 0
  private speculation: Speculation | undefined
  /** [audio position (ms) after a chunk, wall-clock ms it arrived], to date the end of speech. */
  private arrivals: [number, number][] = []
  private asr: AsrProvider | null | undefined
  /** The live recogniser fed every sample (pocketsphinx): words ready about when the turn ends. */
  private live: StreamingRecognizer | undefined
  private warnedNoAsr = false
  private format: AudioInputFormat

  constructor(
    private readonly core: ChatCore,
    private readonly deps: ChatDeps,
    private readonly recorder: ChatRecorder,
    private readonly settings: TurnSettings,
    format: AudioInputFormat,
    private readonly o: { verbose: boolean; handlers: ListenerHandlers },
  ) {
    this.format = format
  }

  /** One audio_input message's bytes. Throws AudioInputError on input it cannot take. */
  async write(bytes: Uint8Array): Promise<void> {
    if (!this.detector) {
      this.detector = await this.deps.stages.turnDetector(this.settings)
      this.asr = await this.deps.stages.asr()
      this.live = await this.deps.stages.liveAsr?.().catch((err: unknown) => {
        this.core.log.warn({ err }, 'evi chat: live transcription unavailable; transcribing each turn instead')
        return undefined
      })
    }
    this.input ??= this.deps.stages.audioInput(this.format, {
      onPcm: (pcm) => this.onPcm(pcm),
      onError: (err) => this.core.error(CHAT_ERRORS.badAudio, err.message),
    })
    this.input.write(bytes)
  }

  /** New audio settings start a new input stream (also the way out of one that failed). */
  reformat(format: AudioInputFormat): void {
    this.format = format
    this.input?.close()
    this.input = undefined
  }

  close(): void {
    this.input?.close()
    this.live?.close()
    void this.detector?.close()
  }

  private onPcm(pcm: Float32Array): void {
    const detector = this.detector
    if (!detector || this.core.ended) return
    if (this.backlog + pcm.length > MAX_AUDIO_BACKLOG_SAMPLES) {
      this.core.error(CHAT_ERRORS.badAudio, 'Audio arrives much faster than real time; some was dropped')
      return
    }
    this.backlog += pcm.length
    // The recogniser hears every sample the detector does, so their clocks agree.
    this.live?.write(pcm)
    const arrived = Date.now()
    this.chain = this.chain
      .then(async () => {
        const at = detector.positionMs
        this.recorder.user(pcm, at)
        const events = await detector.push(pcm)
        this.arrivals.push([detector.positionMs, arrived])
        if (this.arrivals.length > 512) this.arrivals.splice(0, 256)
        for (const ev of events) this.onEvent(ev)
      })
      .catch((err: unknown) => {
        if (!this.core.ended) this.core.log.error({ err }, 'evi chat: turn detection failed')
      })
      .finally(() => (this.backlog -= pcm.length))
  }

  /** Wall-clock time at which audio position `ms` arrived (real-time clients: when it was spoken). */
  private wallAt(ms: number): number {
    for (const [pos, wall] of this.arrivals) if (pos >= ms) return wall
    return Date.now()
  }

  private onEvent(ev: TurnEvent): void {
    switch (ev.type) {
      case 'speech_start':
        this.seq++
        this.speculation = undefined
        this.o.handlers.onSpeechStart()
        break
      case 'sustained_speech':
        this.o.handlers.onSustainedSpeech(ev.atMs)
        break
      case 'pause':
        this.speculate(ev)
        break
      case 'resume':
        this.speculation = undefined
        break
      case 'end':
        this.finish(ev)
        break
    }
  }

  private speculate(ev: Extract<TurnEvent, { type: 'pause' }>): void {
    if (!this.asr) return
    const seq = this.seq
    const bounds = { beginMs: ev.beginMs, endMs: speechEnd(ev.beginMs, ev.audio), waitMs: LIVE_ASR_PAUSE_WAIT_MS }
    const transcript = this.transcribe(ev.audio, false, bounds)
    const spec: Speculation = { seq, transcript, scores: this.measure(ev.audio) }
    this.speculation = spec
    void transcript.then(async (t) => {
      if (this.speculation !== spec || this.core.ended || !t?.text) return
      if (this.o.verbose)
        this.core.send(
          out.userMessage({ text: t.text, interim: true, fromText: false, beginMs: ev.beginMs, endMs: ev.atMs }),
        )
      const likely = await this.deps.stages.endOfTurnLikely(ev.audio, t.text, this.core.signal).catch(() => false)
      if (!likely || this.speculation !== spec) return
      // Ended on the detector's own chain, so it cannot cut into a window being processed.
      this.chain = this.chain.then(() => {
        if (this.speculation !== spec) return
        const end = this.detector?.endNow()
        if (end) this.finish(end)
      })
    })
  }

  private finish(ev: Extract<TurnEvent, { type: 'end' }>): void {
    const spec = this.speculation?.seq === this.seq ? this.speculation : undefined
    this.speculation = undefined
    const spokenUntil = speechEnd(ev.beginMs, ev.audio)
    const endOfSpeech = this.wallAt(spokenUntil)
    const bounds = { beginMs: ev.beginMs, endMs: spokenUntil, waitMs: LIVE_ASR_WAIT_MS }
    // The pause's transcript when it came through; otherwise (none, or the recogniser was late) this turn's own.
    const transcript = (spec ? spec.transcript : Promise.resolve(undefined)).then(
      (t) => t ?? this.transcribe(ev.audio, true, bounds),
    )
    // Measured at the pause already (off the reply's critical path) unless speech resumed since.
    const scores = spec ? spec.scores : this.measure(ev.audio)
    // Turns reach the session in the order they were spoken, however long each one's ASR takes.
    this.turns = this.turns.then(async () => {
      const t = await transcript
      const transcriptAt = Date.now()
      if (!t?.text || this.core.ended) return
      this.o.handlers.onTurn({
        text: t.text,
        language: t.language,
        beginMs: ev.beginMs,
        endMs: ev.endMs,
        scores: await scores,
        endOfSpeech,
        transcriptAt,
        early: ev.early,
      })
    })
  }

  private measure(audio: Float32Array): Promise<Record<string, number> | undefined> {
    return this.deps.stages.prosody(audio, 16_000, this.core.signal).catch((err: unknown) => {
      if (!this.core.ended) this.core.log.warn({ err }, 'evi chat: user prosody failed')
      return undefined
    })
  }

  /**
   * A turn's words: from the live recogniser when it has them, racing (at a turn's end) a
   * transcription of the turn's own audio that starts LIVE_ASR_HEADSTART_MS later, so a recogniser
   * that has not closed its utterance (a noisy room, a busy machine) costs a little, not a timeout.
   */
  private async transcribe(
    audio: Float32Array,
    reportErrors: boolean,
    bounds: { beginMs: number; endMs: number; waitMs: number },
  ): Promise<{ text: string; language?: string } | undefined> {
    const live = this.live
    if (!live) return this.transcribeAudio(audio, reportErrors, this.core.signal)
    const ac = new AbortController()
    const stop = () => ac.abort()
    this.core.signal.addEventListener('abort', stop, { once: true })
    try {
      const heard = live
        .textBetween(bounds.beginMs / 1000, bounds.endMs / 1000, { timeoutMs: bounds.waitMs, signal: ac.signal })
        .then((text) => (text === undefined ? NOT_YET : text ? { text, language: 'en' } : undefined))
      // A pause's speculation only asks the live recogniser: the turn's end is coming anyway.
      if (!reportErrors) return await heard.then((r) => (r === NOT_YET ? undefined : r))
      const own: Promise<Transcribed | typeof NOT_YET> = new Promise<void>((r) =>
        setTimeout(r, LIVE_ASR_HEADSTART_MS),
      ).then(async () =>
        ac.signal.aborted ? NOT_YET : ((await this.transcribeAudio(audio, true, ac.signal)) ?? NOT_YET),
      )
      // The first answer wins; NOT_YET from one of them means waiting for the other.
      return await new Promise<Transcribed | undefined>((resolve) => {
        let waiting = 2
        const take = (r: Transcribed | undefined | typeof NOT_YET) => {
          if (r !== NOT_YET) resolve(r)
          else if (--waiting === 0) resolve(undefined)
        }
        void heard.then(take)
        void own.then(take)
      })
    } finally {
      ac.abort()
      this.core.signal.removeEventListener('abort', stop)
    }
  }

  private async transcribeAudio(
    audio: Float32Array,
    reportErrors: boolean,
    signal: AbortSignal,
  ): Promise<{ text: string; language?: string } | undefined> {
    if (!this.asr) {
      if (!this.warnedNoAsr) {
        this.warnedNoAsr = true
        this.core.error(
          CHAT_ERRORS.transcriptionFailed,
          'This server has no speech recognition (install pocketsphinx and pocketsphinx-en-us, or set PROSODIA_ASR_URL); send user_input text instead',
        )
      }
      return undefined
    }
    if (audio.length < SAMPLES_PER_MS * 100) return undefined
    try {
      const t = await this.asr.transcribe(audio, { signal })
      return { text: t.text.trim(), language: t.language ?? undefined }
    } catch (err) {
      if (this.core.ended || signal.aborted) return undefined
      if (reportErrors) {
        const why = err instanceof AsrError ? err.message : 'unexpected failure'
        this.core.log.warn({ err }, 'evi chat: transcription failed')
        this.core.error(CHAT_ERRORS.transcriptionFailed, `Transcription failed: ${why}`)
      }
      return undefined
    }
  }
}
