/**
 * One EVI chat: opened on the socket with the config, voice, tools and (on resume) the chat group's
 * history; then every client message in order, the listener's turns answered by the responder,
 * timeouts, pause/resume and session settings; at the end the history closed with the right
 * status, the recording handed to the reconstruction job and the chat_ended webhook sent.
 */
import { randomUUID } from 'node:crypto'
import type { WebSocket } from 'ws'
import type { Release } from '../../../shared/cluster/slots.js'
import { ApiError } from '../../../shared/http/errors.js'
import { parseClientJson } from '../../../shared/http/json.js'
import { compileBodyCheck } from '../../../shared/http/validation.js'
import type { ReturnConfig } from '../configs.schemas.js'
import {
  ChatGroupNotFoundError,
  type ChatRecorder,
  type ChatStatus,
  type NewChatEvent,
  type StoredChatEvent,
} from '../history/history.types.js'
import { ChatError, CHAT_ERRORS, type ChatErrorSpec } from './chat.codes.js'
import type { ChatCore } from './chat.core.js'
import type { ChatDeps } from './chat.deps.js'
import { Listener, type UserTurn } from './chat.listener.js'
import {
  ClientMessages,
  serverMessages as out,
  socketScores,
  type ClientMessage,
  type ClientMessageType,
  type Outgoing,
  type SessionSettingsMessage,
} from './chat.messages.js'
import type { ChatQuery } from './chat.query.js'
import { Responder } from './chat.responder.js'
import { Conversation } from './conversation.js'
import { ChatEventLog } from './chat.events.js'
import { SessionState } from './chat.settings.js'
import { ChatTimeouts, type TimeoutStatus } from './chat.timeouts.js'
import { ControlMessageError, type LiveChat } from './live-chats.js'
import { AudioInputError, type AudioInputFormat } from './turns/turns.types.js'
import type { VoiceSpec } from '../../tts/engines/engine.js'

const checks = Object.fromEntries(
  Object.entries(ClientMessages).map(([type, schema]) => [type, compileBodyCheck(schema, [])]),
) as { [K in ClientMessageType]: (v: unknown) => ClientMessage }

const DEFAULT_INACTIVITY_TEXT = "It seems you've stepped away. I'll end our conversation now; talk to you later."
const DEFAULT_MAX_DURATION_TEXT = "We've reached the time limit for this conversation. Goodbye for now."
/** invalid_audio errors sent per second at most (the rest of a broken stream's chunks are dropped quietly). */
const MAX_AUDIO_ERRORS_PER_SECOND = 5
/** Client messages waiting to be handled before the socket stops reading (TCP back-pressure). */
const MAX_PENDING_MESSAGES = 64
const CLOSE_NORMAL = 1000

export class ChatSession implements ChatCore {
  readonly chatId: string
  readonly chatGroupId: string
  readonly allowConnection: boolean
  readonly log: ChatDeps['log']
  private readonly ac = new AbortController()
  private readonly startedAt = Date.now()
  private readonly requestId = randomUUID()
  private status: ChatStatus | undefined
  private readonly subscribers = new Set<{ listener: (m: Record<string, unknown>) => void; onEnd: () => void }>()
  private readonly conversation = new Conversation()
  private readonly responder: Responder
  private readonly listener: Listener
  private readonly recorder: ChatRecorder
  private queue: Promise<void> = Promise.resolve()
  private pending = 0
  private paused = false
  private unansweredWhilePaused = false
  /** The chat's first history events being written (see begin). */
  private opening: Promise<void> = Promise.resolve()
  private audioErrors: number[] = []
  /** The account's chat slot this chat holds (LiveChats.reserve), given back when it ends. */
  private slot: Release = () => {}
  private readonly state: SessionState
  private readonly events: ChatEventLog
  private readonly timeouts: ChatTimeouts
  private constructor(
    private readonly socket: WebSocket,
    private readonly deps: ChatDeps,
    readonly accountId: string,
    ids: { chatId: string; chatGroupId: string },
    private readonly config: ReturnConfig | undefined,
    query: ChatQuery,
    voice: VoiceSpec,
    private readonly resumed: boolean,
  ) {
    this.chatId = ids.chatId
    this.chatGroupId = ids.chatGroupId
    this.allowConnection = query.allowConnection
    this.log = deps.log.child({ chat_id: ids.chatId })
    const s = query.settings
    this.state = new SessionState(deps, config, s, voice)
    this.events = new ChatEventLog(
      deps.history,
      { accountId, chatId: ids.chatId },
      deps.limits.eviEventsPerChat,
      this.log,
    )
    this.timeouts = new ChatTimeouts({
      config,
      scale: deps.timings.timeoutScale,
      maxChatSeconds: deps.limits.eviChatSeconds,
      busy: () => this.responder.busy,
      onTimeout: (status) => void this.timeOut(status),
    })
    this.recorder = deps.history.recorder(accountId, ids.chatId)
    this.responder = new Responder(this, deps, {
      conversation: this.conversation,
      systemPrompt: () => this.state.systemPrompt(),
      consumeTemporaryContext: () => this.state.consumeTemporaryContext(),
      tools: () => this.state.tools,
      voice: () => this.state.voice,
      model: () => this.state.model(),
      temperature: () => this.config?.language_model?.temperature,
      customSessionId: () => this.state.customSessionId,
      recorder: this.recorder,
      hangUp: () => void this.end('USER_ENDED', 'the assistant hung up'),
      toolCalled: (message) =>
        deps.webhooks?.toolCall({
          accountId,
          config: this.config,
          chatId: this.chatId,
          chatGroupId: this.chatGroupId,
          customSessionId: this.state.customSessionId,
          message,
        }),
    })
    const format: AudioInputFormat = {
      encoding: s.audio?.encoding,
      sampleRate: s.audio?.sample_rate,
      channels: s.audio?.channels,
    }
    this.listener = new Listener(this, deps, this.recorder, deps.stages.turnSettings(config), format, {
      verbose: query.verboseTranscription,
      handlers: {
        onSpeechStart: () => this.timeouts.touch(),
        onSustainedSpeech: (atMs) => {
          if (!this.paused) this.responder.interrupt(atMs)
        },
        onTurn: (turn) => this.onUserTurn(turn),
      },
    })
  }

  /**
   * Opens a chat on an upgraded socket: refuses it with a coded error (and a normal close, so the
   * SDK does not reconnect into the same error) when the config, the chat group or the account's
   * chat allowance says no.
   */
  static async open(
    socket: WebSocket,
    deps: ChatDeps,
    accountId: string,
    query: ChatQuery,
  ): Promise<ChatSession | undefined> {
    const refuse = (spec: ChatErrorSpec, message: string) => {
      if (socket.readyState === socket.OPEN) {
        socket.send(JSON.stringify(out.error({ ...spec, message })))
        socket.close(CLOSE_NORMAL, spec.slug)
      }
      return undefined
    }
    let slot: Release | undefined
    try {
      slot = await deps.live.reserve(accountId, deps.limits.eviChatsPerAccount)
      if (!slot)
        throw new ChatError(
          CHAT_ERRORS.tooManyChats,
          `This account already has ${deps.limits.eviChatsPerAccount} active chats (PROSODIA_EVI_MAX_CHATS_PER_ACCOUNT)`,
        )
      const config = query.configId ? await loadConfig(deps, accountId, query.configId, query.configVersion) : undefined
      if (query.resumedChatGroupId) await deps.live.groupClosed(query.resumedChatGroupId)
      if (query.resumedChatGroupId && (await deps.history.groupActive(accountId, query.resumedChatGroupId)))
        throw new ChatError(
          CHAT_ERRORS.chatGroupActive,
          `Chat group ${query.resumedChatGroupId} has a chat in progress`,
        )
      const voiceRef = query.voiceId ? { id: query.voiceId, name: query.voiceId } : (config?.voice ?? undefined)
      let voice = voiceRef ? await deps.voices.resolve(accountId, voiceRef) : undefined
      const voiceMissing = voiceRef && !voice
      voice ??= deps.voices.fallback
      let ids: { chatId: string; chatGroupId: string }
      try {
        ids = await deps.history.startChat({
          accountId,
          resumeChatGroupId: query.resumedChatGroupId,
          config: config ? { id: config.id, version: config.version } : undefined,
          metadata: query.settings.custom_session_id
            ? { custom_session_id: query.settings.custom_session_id }
            : undefined,
        })
      } catch (err) {
        if (err instanceof ChatGroupNotFoundError)
          throw new ChatError(CHAT_ERRORS.chatGroupNotFound, `Chat group ${err.chatGroupId} not found`)
        throw err
      }
      if (socket.readyState !== socket.OPEN) {
        slot()
        await deps.history.endChat(accountId, ids.chatId, 'USER_ENDED')
        return undefined
      }
      const session = new ChatSession(socket, deps, accountId, ids, config, query, voice, !!query.resumedChatGroupId)
      session.slot = slot
      await session.begin(query, voiceMissing ? voiceRef : undefined)
      return session
    } catch (err) {
      // A chat that did not open holds no slot (giving one back twice does nothing).
      slot?.()
      if (err instanceof ChatError) return refuse(err.spec, err.message)
      if (err instanceof ChatGroupNotFoundError)
        return refuse(CHAT_ERRORS.chatGroupNotFound, `Chat group ${err.chatGroupId} not found`)
      deps.log.error({ err }, 'evi chat: opening a chat failed')
      return refuse(CHAT_ERRORS.internal, 'The chat could not be started')
    }
  }

  private async begin(query: ChatQuery, missingVoice: unknown): Promise<void> {
    this.send(out.chatMetadata({ chatId: this.chatId, chatGroupId: this.chatGroupId, requestId: this.requestId }))
    this.deps.live.add({
      ...this.live,
      accountId: this.accountId,
      chatId: this.chatId,
      chatGroupId: this.chatGroupId,
      allowConnection: this.allowConnection,
    })
    this.socket.on('close', () => void this.end(this.status ?? 'USER_ENDED', 'the client closed the socket'))
    if (missingVoice)
      this.error(
        CHAT_ERRORS.voiceNotFound,
        `The voice ${JSON.stringify(missingVoice)} was not found; a default voice speaks instead`,
      )
    for (const p of this.state.toolProblems) this.error(CHAT_ERRORS.badTool, p)
    // end() waits for these first events, so that nothing is recorded after CHAT_END_MESSAGE.
    this.opening = (async () => {
      if (this.resumed) {
        const events = await this.deps.history.groupEvents(this.accountId, this.chatGroupId, query.eventLimit)
        this.conversation.replay(events.filter((e) => e.chat_id !== this.chatId))
      }
      await this.record({ role: 'SYSTEM', type: 'CHAT_START_MESSAGE', metadata: { resumed: this.resumed } })
      await this.record({ role: 'SYSTEM', type: 'SYSTEM_PROMPT', messageText: this.state.systemPrompt() })
    })()
    await this.opening
    this.deps.webhooks?.chatStarted({
      accountId: this.accountId,
      config: this.config,
      chatId: this.chatId,
      chatGroupId: this.chatGroupId,
      customSessionId: this.state.customSessionId,
      startTime: this.startedAt,
      resumed: this.resumed,
    })
    // The client left while the chat opened: it has ended, so no timeout is armed and nothing is said.
    if (this.ended) return
    this.timeouts.start()
    const greeting = this.config?.event_messages.on_new_chat
    if (greeting?.enabled && !this.resumed) {
      if (greeting.text) void this.responder.start({ kind: 'speak', text: greeting.text, fromText: false })
      else
        void this.responder.start({
          kind: 'reply',
          instruction: 'The user has just joined the conversation: greet them briefly.',
        })
    }
  }

  // ---- ChatCore ------------------------------------------------------------------------------

  get ended(): boolean {
    return this.status !== undefined
  }

  get signal(): AbortSignal {
    return this.ac.signal
  }

  now(): number {
    return Date.now() - this.startedAt
  }

  send(message: Outgoing): void {
    if (this.ended) return
    const id = this.state.customSessionId
    const m = id ? { ...message, custom_session_id: id } : message
    if (this.socket.readyState === this.socket.OPEN) {
      if (this.socket.bufferedAmount > this.deps.limits.wsBufferedBytes) {
        void this.end('ERROR', 'the client stopped reading')
        return
      }
      this.socket.send(JSON.stringify(m))
    }
    for (const s of this.subscribers) s.listener(m)
  }

  record(event: NewChatEvent): Promise<StoredChatEvent | undefined> {
    return this.events.record(event)
  }

  error(spec: ChatErrorSpec, message: string): void {
    // A stream of bad audio would answer every 20 ms chunk: a few such errors a second are enough.
    if (spec.slug === CHAT_ERRORS.badAudio.slug) {
      const now = Date.now()
      this.audioErrors = this.audioErrors.filter((t) => now - t < 1000)
      if (this.audioErrors.length >= MAX_AUDIO_ERRORS_PER_SECOND) return
      this.audioErrors.push(now)
    }
    this.send(out.error({ code: spec.code, slug: spec.slug, message, requestId: this.requestId }))
  }

  // ---- LiveChat (control plane) --------------------------------------------------------------

  /** This chat as the control plane sees it. */
  private readonly live: LiveChat = {
    accountId: '',
    chatId: '',
    chatGroupId: '',
    allowConnection: false,
    // In line with the socket's own messages, so both arrive at the chat in one order.
    send: (message) => {
      const work = this.queue.then(() => this.handle(message, 'control'))
      this.queue = work.catch(() => {})
      return work.catch((err: unknown) => {
        if (err instanceof ChatError) throw new ControlMessageError(err.message, err.spec)
        throw err
      })
    },
    subscribe: (listener, onEnd) => this.subscribe(listener, onEnd),
  }

  private subscribe(listener: (m: Record<string, unknown>) => void, onEnd: () => void): () => void {
    const s = { listener, onEnd }
    if (this.ended) {
      onEnd()
      return () => {}
    }
    this.subscribers.add(s)
    return () => this.subscribers.delete(s)
  }

  // ---- client messages -----------------------------------------------------------------------

  /** A text frame from the client: handled in arrival order; errors answer with an `error` message. */
  onRaw(raw: string): void {
    if (++this.pending > MAX_PENDING_MESSAGES) this.socket.pause()
    this.queue = this.queue
      .then(() => this.handle(raw, 'socket'))
      .catch((err: unknown) => this.reportMessageError(err))
      .finally(() => {
        this.pending--
        if (this.pending <= MAX_PENDING_MESSAGES && this.socket.isPaused) this.socket.resume()
      })
  }

  private reportMessageError(err: unknown): void {
    if (err instanceof ChatError) return this.error(err.spec, err.message)
    if (err instanceof ControlMessageError) return this.error(CHAT_ERRORS.invalidMessage, err.message)
    if (err instanceof AudioInputError) return this.error(CHAT_ERRORS.badAudio, err.message)
    if (err instanceof ApiError) return this.error(CHAT_ERRORS.invalidMessage, err.message)
    this.log.error({ err }, 'evi chat: handling a message failed')
    this.error(CHAT_ERRORS.internal, 'The message could not be handled')
  }

  /** Parses, validates and applies one client message (from the socket or the control plane). */
  private async handle(input: unknown, from: 'socket' | 'control'): Promise<void> {
    if (this.ended) return
    let value = input
    if (typeof input === 'string') {
      try {
        value = parseClientJson(input, this.deps.limits.jsonDepth, [])
      } catch {
        throw new ChatError(
          CHAT_ERRORS.invalidJson,
          `The message is not valid JSON, is nested more than ${this.deps.limits.jsonDepth} levels deep, or uses a reserved key (__proto__, constructor.prototype)`,
        )
      }
    }
    const type = (value as { type?: unknown } | null)?.type
    if (typeof type !== 'string' || !Object.hasOwn(checks, type))
      throw new ChatError(
        CHAT_ERRORS.unknownMessageType,
        `Unknown message type ${JSON.stringify(type ?? null)}; expected one of ${Object.keys(checks).join(', ')}`,
      )
    if (from === 'control' && type === 'audio_input')
      throw new ControlMessageError('audio_input cannot be sent through the control plane')
    let m: ClientMessage
    try {
      m = checks[type as ClientMessageType](value)
    } catch (err) {
      throw new ChatError(CHAT_ERRORS.invalidMessage, `Invalid ${type} message: ${(err as Error).message}`)
    }
    if (m.custom_session_id) this.state.customSessionId = m.custom_session_id
    switch (m.type) {
      case 'audio_input':
        return this.onAudio(m.data)
      case 'session_settings':
        return this.applySettings(m)
      case 'user_input':
        return this.onUserText(this.state.bounded(m.text))
      case 'assistant_input':
        this.timeouts.touch()
        void this.responder.enqueue({ kind: 'speak', text: this.state.bounded(m.text), fromText: true })
        return
      case 'tool_response':
      case 'tool_error':
        if (!this.responder.toolAnswer(m))
          throw new ChatError(CHAT_ERRORS.unknownToolCall, `No tool call ${m.tool_call_id} is waiting for an answer`)
        return
      case 'pause_assistant_message':
        if (this.paused) return
        this.paused = true
        this.responder.stop()
        await this.record({ role: 'SYSTEM', type: 'PAUSE_ONSET' })
        return
      case 'resume_assistant_message':
        if (!this.paused) return
        this.paused = false
        await this.record({ role: 'SYSTEM', type: 'RESUME_ONSET' })
        if (this.unansweredWhilePaused) {
          this.unansweredWhilePaused = false
          void this.responder.start({ kind: 'reply' })
        }
        return
    }
  }

  private async onAudio(data: string): Promise<void> {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 === 1)
      throw new ChatError(CHAT_ERRORS.badAudio, 'audio_input data is not base64')
    const bytes = Buffer.from(data, 'base64')
    if (bytes.length === 0) return
    await this.listener.write(bytes)
  }

  private async onUserText(text: string): Promise<void> {
    this.timeouts.touch()
    const at = this.now()
    this.send(out.userMessage({ text, interim: false, fromText: true, beginMs: at, endMs: at }))
    await this.record({ role: 'USER', type: 'USER_MESSAGE', messageText: text, metadata: { from_text: true } })
    this.userSaid(text)
  }

  private onUserTurn(turn: UserTurn): void {
    if (this.ended) return
    this.timeouts.touch()
    this.send(
      out.userMessage({
        text: turn.text,
        interim: false,
        fromText: false,
        beginMs: turn.beginMs,
        endMs: turn.endMs,
        scores: socketScores(turn.scores, this.deps.evi.prosodyScores),
        language: turn.language,
      }),
    )
    void this.record({
      role: 'USER',
      type: 'USER_MESSAGE',
      messageText: turn.text,
      emotionFeatures: turn.scores,
      metadata: { time: { begin: turn.beginMs, end: turn.endMs }, early_end_of_turn: turn.early },
    })
    // Speech shorter than min_interruption_ms while the assistant talks (a backchannel: "mm-hm")
    // is heard and kept, but neither stops the assistant nor asks for a new reply.
    if (this.responder.speaking) {
      this.conversation.user(turn.text, { prosody: turn.scores, time: { begin: turn.beginMs, end: turn.endMs } })
      return
    }
    this.userSaid(
      turn.text,
      { endOfSpeech: turn.endOfSpeech, transcript: turn.transcriptAt, early: turn.early },
      { prosody: turn.scores, time: { begin: turn.beginMs, end: turn.endMs } },
    )
  }

  /** A user turn joins the conversation; the assistant answers unless paused. */
  private userSaid(
    text: string,
    latency?: { endOfSpeech: number; transcript: number; early: boolean },
    expression?: { prosody?: Record<string, number>; time?: { begin: number; end: number } },
  ): void {
    this.conversation.user(text, expression)
    if (this.paused) {
      this.unansweredWhilePaused = true
      return
    }
    void this.responder.start({ kind: 'reply', latency })
  }

  private async applySettings(m: SessionSettingsMessage): Promise<void> {
    const toolsBefore = this.state.tools
    this.state.apply(m)
    if (this.state.tools !== toolsBefore) for (const p of this.state.toolProblems) this.error(CHAT_ERRORS.badTool, p)
    if (m.voice_id) {
      const voice = await this.deps.voices.resolve(this.accountId, { id: m.voice_id, name: m.voice_id })
      if (voice) this.state.voice = voice
      else this.error(CHAT_ERRORS.voiceNotFound, `The voice ${m.voice_id} was not found; the current voice stays`)
    }
    if (m.audio)
      this.listener.reformat({
        encoding: m.audio.encoding ?? undefined,
        sampleRate: m.audio.sample_rate,
        channels: m.audio.channels,
      })
    await this.record({ role: 'SYSTEM', type: 'SESSION_SETTINGS', messageText: SessionState.stored(m) })
  }

  // ---- timeouts and the end ------------------------------------------------------------------

  private async timeOut(status: TimeoutStatus): Promise<void> {
    if (this.ended) return
    const spec =
      status === 'INACTIVITY_TIMEOUT'
        ? this.config?.event_messages.on_inactivity_timeout
        : this.config?.event_messages.on_max_duration_timeout
    if (spec?.enabled) {
      const text = spec.text || (status === 'INACTIVITY_TIMEOUT' ? DEFAULT_INACTIVITY_TEXT : DEFAULT_MAX_DURATION_TEXT)
      await this.responder.start({ kind: 'speak', text, fromText: false })
    }
    await this.end(status, status === 'INACTIVITY_TIMEOUT' ? 'inactivity timeout' : 'maximum duration reached')
  }

  /** Ends the chat once: stops every stage, closes the history and the socket. */
  async end(status: ChatStatus, reason: string): Promise<void> {
    if (this.status) return
    this.status = status
    let closed!: () => void
    this.deps.live.closingGroup(this.chatGroupId, new Promise<void>((resolve) => (closed = resolve)))
    this.log.info({ status, reason, seconds: Math.round(this.now() / 1000) }, 'evi chat: ended')
    this.timeouts.stop()
    this.responder.stop()
    this.ac.abort(new Error(`chat ended: ${reason}`))
    this.listener.close()
    this.deps.live.remove(this.chatId)
    this.slot()
    for (const s of this.subscribers) s.onEnd()
    this.subscribers.clear()
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(CLOSE_NORMAL, reason.slice(0, 100))
    const endTime = Date.now()
    await this.opening.catch(() => {})
    try {
      await this.recorder.close()
    } catch (err) {
      this.log.error({ err }, 'evi chat: closing the recording failed')
    }
    try {
      await this.events.close({ role: 'SYSTEM', type: 'CHAT_END_MESSAGE', metadata: { status, reason } })
      await this.deps.history.endChat(this.accountId, this.chatId, status, endTime)
    } catch (err) {
      this.log.error({ err }, 'evi chat: closing the history failed')
    }
    closed()
    this.deps.webhooks?.chatEnded({
      accountId: this.accountId,
      config: this.config,
      chatId: this.chatId,
      chatGroupId: this.chatGroupId,
      customSessionId: this.state.customSessionId,
      endTime,
      durationSeconds: Math.round((endTime - this.startedAt) / 1000),
      status,
    })
  }
}

async function loadConfig(deps: ChatDeps, accountId: string, id: string, version?: number): Promise<ReturnConfig> {
  try {
    return await deps.configs.get(accountId, id, version)
  } catch (err) {
    if (err instanceof ApiError && err.status === 404)
      throw new ChatError(
        CHAT_ERRORS.configNotFound,
        version === undefined ? `Config ${id} not found` : `Config ${id} version ${version} not found`,
      )
    throw err
  }
}
