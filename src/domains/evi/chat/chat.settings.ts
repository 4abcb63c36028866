/**
 * What session settings can change in a chat, starting from the query's `session_settings` and
 * then each `session_settings` message: the prompt and its variables, context, tools, voice, the
 * language model's key, the session id. Every piece that can grow is bounded here.
 */
import type { VoiceSpec } from '../../tts/engines/engine.js'
import type { ReturnConfig } from '../configs.schemas.js'
import type { LanguageModel } from '../llm/llm.types.js'
import { ChatError, CHAT_ERRORS } from './chat.codes.js'
import type { ChatDeps } from './chat.deps.js'
import type { SessionSettingsMessage } from './chat.messages.js'
import type { ConnectSettings } from './chat.query.js'
import { chatTools, type ChatTool } from './chat.tools.js'
import { systemPrompt, type Variables } from './conversation.js'

/** Session variables one chat may hold (their total size is bounded by PROSODIA_EVI_MAX_INPUT_TEXT_CHARS). */
export const MAX_VARIABLES = 100
/** A SESSION_SETTINGS event's text: larger settings are recorded by their keys. */
export const MAX_STORED_SETTINGS_CHARS = 8192

export class SessionState {
  customSessionId: string | undefined
  voice: VoiceSpec
  private sessionPrompt: string | undefined
  private variables: Variables
  private persistentContext: string | undefined
  private temporaryContext: string | undefined
  private sessionTools: SessionSettingsMessage['tools'] = undefined
  private sessionBuiltins: SessionSettingsMessage['builtin_tools'] = undefined
  private currentTools: { tools: Map<string, ChatTool>; problems: string[] }
  private apiKey: string | undefined
  private languageModel: LanguageModel | undefined

  constructor(
    private readonly deps: Pick<ChatDeps, 'limits' | 'stages'>,
    private readonly config: ReturnConfig | undefined,
    s: ConnectSettings,
    voice: VoiceSpec,
  ) {
    this.voice = voice
    this.customSessionId = s.custom_session_id
    this.sessionPrompt = s.system_prompt
    this.variables = { ...s.variables }
    this.apiKey = s.language_model_api_key
    if (s.context) this.setContext(s.context)
    this.currentTools = this.buildTools()
  }

  get tools(): Map<string, ChatTool> {
    return this.currentTools.tools
  }

  /** Tools that could not be offered, one sentence each (sent as errors). */
  get toolProblems(): string[] {
    return this.currentTools.problems
  }

  systemPrompt(): string {
    return systemPrompt({
      configPrompt: this.config?.prompt?.text,
      sessionPrompt: this.sessionPrompt,
      variables: this.variables,
      persistentContext: this.persistentContext,
      temporaryContext: this.temporaryContext,
    })
  }

  /** Temporary context applies to one response. */
  consumeTemporaryContext(): void {
    this.temporaryContext = undefined
  }

  /** The language model, resolved again after the key changes. Throws LlmError when it cannot be used. */
  model(): LanguageModel {
    return (this.languageModel ??= this.deps.stages.languageModel(this.config?.language_model, this.apiKey))
  }

  /** A text from the client, within PROSODIA_EVI_MAX_INPUT_TEXT_CHARS and not blank. */
  bounded(text: string): string {
    const max = this.deps.limits.eviInputChars
    if (text.length > max)
      throw new ChatError(
        CHAT_ERRORS.textTooLong,
        `Text is longer than ${max} characters (PROSODIA_EVI_MAX_INPUT_TEXT_CHARS)`,
      )
    if (!text.trim()) throw new ChatError(CHAT_ERRORS.invalidMessage, 'The text is empty')
    return text
  }

  /**
   * Applies a session_settings message's prompt, variables, metadata, context, key and tools (the
   * voice and the audio format are the session's to apply). Throws ChatError before changing
   * anything when a part is over its bound.
   */
  apply(m: SessionSettingsMessage): void {
    const limit = this.deps.limits.eviInputChars
    const prompt =
      m.system_prompt === undefined || m.system_prompt === null ? m.system_prompt : this.bounded(m.system_prompt)
    const context = m.context ? { text: this.bounded(m.context.text), type: m.context.type } : m.context
    let variables = this.variables
    if (m.variables !== undefined) {
      variables = { ...this.variables, ...(m.variables ?? {}) }
      if (Object.keys(variables).length > MAX_VARIABLES || JSON.stringify(variables).length > limit)
        throw new ChatError(
          CHAT_ERRORS.textTooLong,
          `Session variables are limited to ${MAX_VARIABLES} names and ${limit} characters in all (PROSODIA_EVI_MAX_INPUT_TEXT_CHARS)`,
        )
    }
    if (m.metadata && JSON.stringify(m.metadata).length > limit)
      throw new ChatError(
        CHAT_ERRORS.textTooLong,
        `Session metadata is limited to ${limit} characters (PROSODIA_EVI_MAX_INPUT_TEXT_CHARS)`,
      )
    if (m.custom_session_id) this.customSessionId = m.custom_session_id
    if (prompt !== undefined) this.sessionPrompt = prompt ?? undefined
    this.variables = variables
    if (context === null) this.persistentContext = this.temporaryContext = undefined
    else if (context) this.setContext(context)
    if (m.language_model_api_key !== undefined) {
      this.apiKey = m.language_model_api_key ?? undefined
      this.languageModel = undefined
    }
    if (m.tools !== undefined || m.builtin_tools !== undefined) {
      if (m.tools !== undefined) this.sessionTools = m.tools ?? undefined
      if (m.builtin_tools !== undefined) this.sessionBuiltins = m.builtin_tools ?? undefined
      this.currentTools = this.buildTools()
    }
  }

  /** The message as the history keeps it: never the key, and large ones by their keys only. */
  static stored(m: SessionSettingsMessage): string {
    const { language_model_api_key: _key, ...stored } = m
    const text = JSON.stringify(stored)
    return text.length <= MAX_STORED_SETTINGS_CHARS
      ? text
      : JSON.stringify({ type: m.type, keys: Object.keys(stored), characters: text.length })
  }

  private setContext(c: { text: string; type?: string }): void {
    if (c.type === 'temporary') this.temporaryContext = c.text
    else this.persistentContext = c.text
  }

  private buildTools() {
    return chatTools({
      config: this.config,
      sessionTools: this.sessionTools ?? undefined,
      sessionBuiltins: this.sessionBuiltins ?? undefined,
    })
  }
}
