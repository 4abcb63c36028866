import { ProsodiaSocket, webSocketImpl } from '../../core/socket.js'
import { toSnake } from '../../core/casing.js'
import type { HttpClient } from '../../core/http.js'
import type {
  AssistantInput,
  AudioInput,
  ConnectSessionSettings,
  PauseAssistantMessage,
  PublishEvent,
  ResumeAssistantMessage,
  SessionSettings,
  SubscribeEvent,
  ToolErrorMessage,
  ToolResponseMessage,
} from '../../types/evi.js'

/** hume@0.16.0's `ChatClient.ConnectArgs`, with the query names /v0/evi/chat reads (chat.query.ts). */
export interface ChatConnectArgs {
  /** Overrides the client's credentials for this socket (sent as `access_token`). */
  accessToken?: string
  /** Overrides the client's credentials for this socket (sent as `api_key`). */
  apiKey?: string
  /** Lets the control plane attach to this chat (`controlPlane.connect`). */
  allowConnection?: boolean
  configId?: string
  /** A string is accepted as hume's is, for backward compatibility. */
  configVersion?: string | number
  /** How many past events a resumed chat carries to the model. */
  eventLimit?: number
  resumedChatGroupId?: string
  verboseTranscription?: boolean
  /** @deprecated Use `sessionSettings.voiceId`, as in the official SDK. */
  voiceId?: string
  /** Settings applied before the first message, sent in the URL as `session_settings[...]`. */
  sessionSettings?: ConnectSessionSettings
  /** Extra query parameters; objects are sent with bracketed keys (`a[b]=c`). */
  queryParams?: Record<string, string | string[] | object | object[]>
  /** Accepted for hume's ConnectArgs; this socket never reconnects (a reconnect would start a new chat). */
  reconnectAttempts?: number
  /** Accepted for hume's ConnectArgs; no effect. */
  debug?: boolean
}

/**
 * The chat socket, typed: send the client messages with hume's ChatSocket methods, receive
 * `SubscribeEvent`s (camelCased) with `on('message')` or `for await`.
 */
export class ChatSocket extends ProsodiaSocket<PublishEvent, SubscribeEvent> {
  /** Sends any client message. */
  sendPublish(message: PublishEvent): void {
    this.sendJson(message)
  }

  /** Sends a chunk of the user's audio (base64, in the format session settings declared). */
  sendAudioInput(message: Omit<AudioInput, 'type'>): void {
    this.sendJson({ type: 'audio_input', ...message })
  }

  /** Changes the session's settings (audio format, system prompt, variables, tools, …). */
  sendSessionSettings(message: Omit<SessionSettings, 'type'> = {}): void {
    this.sendJson({ type: 'session_settings', ...message })
  }

  /** Sends the user's turn as text. */
  sendUserInput(text: string): void {
    this.sendJson({ type: 'user_input', text })
  }

  /** Makes the assistant say this text. */
  sendAssistantInput(message: Omit<AssistantInput, 'type'>): void {
    this.sendJson({ type: 'assistant_input', ...message })
  }

  /** Answers a `tool_call`. */
  sendToolResponseMessage(message: Omit<ToolResponseMessage, 'type'>): void {
    this.sendJson({ type: 'tool_response', ...message })
  }

  /** Reports that a `tool_call` failed. */
  sendToolErrorMessage(message: Omit<ToolErrorMessage, 'type'>): void {
    this.sendJson({ type: 'tool_error', ...message })
  }

  /** Stops the assistant answering until resumed (hume@0.16.0's name). */
  pauseAssistant(message: Omit<PauseAssistantMessage, 'type'> = {}): void {
    this.sendJson({ type: 'pause_assistant_message', ...message })
  }

  /** Lets the assistant answer again (hume@0.16.0's name). */
  resumeAssistant(message: Omit<ResumeAssistantMessage, 'type'> = {}): void {
    this.sendJson({ type: 'resume_assistant_message', ...message })
  }

  /** The earlier SDKs' name for `pauseAssistant`. */
  sendPauseAssistantMessage(message: Omit<PauseAssistantMessage, 'type'> = {}): void {
    this.pauseAssistant(message)
  }

  /** The earlier SDKs' name for `resumeAssistant`. */
  sendResumeAssistantMessage(message: Omit<ResumeAssistantMessage, 'type'> = {}): void {
    this.resumeAssistant(message)
  }

  /** @deprecated Use `waitForOpen()`, as in the official SDK. */
  tillSocketOpen(): Promise<this> {
    return this.waitForOpen()
  }
}

/** `client.empathicVoice.chat`: opens EVI's speech-to-speech socket, `/v0/evi/chat`. */
export class ChatClient {
  constructor(private readonly http: HttpClient) {}

  /**
   * Opens a chat (`wss://…/v0/evi/chat`). Synchronous like the official SDK's: attach handlers, then
   * `await socket.waitForOpen()` before sending.
   */
  connect(args: ChatConnectArgs = {}): ChatSocket {
    const url = new URL(this.http.url('/v0/evi/chat'))
    const query: Record<string, unknown> = {
      allow_connection: args.allowConnection,
      config_id: args.configId,
      config_version: args.configVersion,
      event_limit: args.eventLimit,
      resumed_chat_group_id: args.resumedChatGroupId,
      verbose_transcription: args.verboseTranscription,
      voice_id: args.voiceId,
      // toSnake keeps the user's own maps (variables, metadata) as they are.
      session_settings: args.sessionSettings === undefined ? undefined : toSnake(args.sessionSettings),
      ...args.queryParams,
      ...this.auth(args),
    }
    for (const [key, value] of Object.entries(query)) appendParam(url.searchParams, key, value)
    return new ChatSocket(url.toString().replace(/^http/, 'ws'), webSocketImpl(this.http))
  }

  /** Browsers cannot set headers on an upgrade, so credentials go in the query, as the server accepts. */
  private auth(args: ChatConnectArgs): Record<string, string> {
    if (args.accessToken !== undefined) return { access_token: args.accessToken }
    if (args.apiKey !== undefined) return { api_key: args.apiKey }
    // connect() is synchronous, as in the official SDK: a supplier returning a promise is refused clearly.
    const { apiKey, accessToken } = this.http.credentialsNow()
    if (accessToken !== undefined) return { access_token: accessToken }
    return apiKey === undefined ? {} : { api_key: apiKey }
  }
}

/** `key=value`; objects as `key[sub]=value` (how the server reads session_settings); arrays repeat the key. */
function appendParam(params: URLSearchParams, key: string, value: unknown): void {
  if (value === undefined || value === null) return
  if (Array.isArray(value)) {
    for (const v of value) appendParam(params, key, v)
  } else if (typeof value === 'object') {
    for (const [sub, v] of Object.entries(value)) appendParam(params, `${key}[${sub}]`, v)
  } else {
    params.append(key, String(value as string | number | boolean))
  }
}
