/**
 * The assistant's side of a chat: one response at a time — the language model's text cut into
 * sentences, each sent as an assistant_message and spoken as audio_output chunks while the model
 * writes on; tool calls sent to the client (or run, for built-ins) and the model called again with
 * their results; assistant_end last. A barge-in aborts the response: generation and synthesis stop,
 * and the conversation keeps only the sentences already sent.
 */
import { randomUUID } from 'node:crypto'
import { PoolBusyError } from '../../../shared/workers/pool.js'
import type { ChatRecorder } from '../history/history.types.js'
import { LlmError, type LanguageModel, type LlmMessage, type LlmToolCall } from '../llm/llm.types.js'
import { CHAT_ERRORS } from './chat.codes.js'
import { latencyFigures, type ChatCore, type TurnLatency } from './chat.core.js'
import type { ChatDeps } from './chat.deps.js'
import { serverMessages as out, socketScores, type ToolErrorMessage, type ToolResponse } from './chat.messages.js'
import type { ChatTool } from './chat.tools.js'
import type { Conversation } from './conversation.js'
import { SentenceSplitter } from './sentences.js'
import { concatSamples } from '../../tts/audio-encoding.js'
import type { VoiceSpec } from '../../tts/engines/engine.js'

/** Model calls one response may make (each tool round trip is one more). */
export const MAX_TOOL_ROUNDS = 8

export type ResponseRequest =
  /** Answer the conversation with the language model. */
  | { kind: 'reply'; latency?: TurnLatency; instruction?: string }
  /** Speak this text as the assistant (assistant_input, event messages). */
  | { kind: 'speak'; text: string; fromText: boolean }

export interface ResponderState {
  conversation: Conversation
  systemPrompt(): string
  /** Called as a response starts: temporary context applies to one response only. */
  consumeTemporaryContext(): void
  tools(): Map<string, ChatTool>
  voice(): VoiceSpec
  model(): LanguageModel
  temperature(): number | undefined
  customSessionId(): string | undefined
  recorder: ChatRecorder
  /** A tool_call went to the client (the chat's webhooks hear of it). */
  toolCalled(message: Record<string, unknown>): void
  /** The model called hang_up: the chat ends once what it said is sent. */
  hangUp(): void
}

interface ToolOutcome {
  content: string
  isError: boolean
}

class Aborted extends Error {}

export class Responder {
  private current: { ac: AbortController; done: Promise<void> } | undefined
  /** The last assistant_input waiting for its turn to speak. */
  private queued: Promise<void> | undefined
  /** Chat time (ms) at which the client will have played everything sent so far. */
  private playhead = 0
  private readonly pendingTools = new Map<string, { resolve: (o: ToolOutcome) => void; fallback?: string }>()

  constructor(
    private readonly core: ChatCore,
    private readonly deps: ChatDeps,
    private readonly state: ResponderState,
  ) {}

  /** A response is being generated, or the client is still playing one. */
  get speaking(): boolean {
    return this.current !== undefined || this.core.now() < this.playhead
  }

  get busy(): boolean {
    return this.current !== undefined
  }

  /** Starts a response, first stopping the one in progress (without an interruption message). */
  start(req: ResponseRequest): Promise<void> {
    this.stop()
    const ac = new AbortController()
    const onEnd = () => ac.abort()
    this.core.signal.addEventListener('abort', onEnd, { once: true })
    const done = this.run(req, ac.signal)
      .catch((err: unknown) => {
        if (ac.signal.aborted || err instanceof Aborted) return
        this.core.log.error({ err }, 'evi chat: a response failed')
        this.core.error(CHAT_ERRORS.internal, 'The response failed on the server')
      })
      .finally(() => {
        this.core.signal.removeEventListener('abort', onEnd)
        if (this.current?.ac === ac) this.current = undefined
      })
    this.current = { ac, done }
    return done
  }

  /**
   * Speaks after what is being said now (assistant_input): two in a row are both spoken, in order.
   * A user turn in between still takes over, as it does from any response.
   */
  enqueue(req: ResponseRequest): Promise<void> {
    const before = this.queued ?? this.current?.done ?? Promise.resolve()
    const mine = before.then(() => (this.core.ended ? undefined : this.start(req)))
    this.queued = mine
    void mine.finally(() => {
      if (this.queued === mine) this.queued = undefined
    })
    return mine
  }

  /** Stops the response in progress, if any (pause, a new response, the end of the chat). */
  stop(): void {
    const c = this.current
    if (!c) return
    this.current = undefined
    c.ac.abort(new Aborted('response stopped'))
    for (const [, p] of this.pendingTools) p.resolve({ content: 'The response was stopped.', isError: true })
    this.pendingTools.clear()
  }

  /** User speech over the assistant: stop, tell the client, and note it in the history. */
  interrupt(atMs: number): boolean {
    if (!this.speaking) return false
    this.stop()
    this.playhead = this.core.now()
    this.core.send(out.userInterruption(atMs))
    void this.core.record({ role: 'USER', type: 'USER_INTERRUPTION', metadata: { time_ms: Math.round(atMs) } })
    return true
  }

  /** A tool_response / tool_error from the client; false when no tool call waits for that id. */
  toolAnswer(m: ToolResponse | ToolErrorMessage): boolean {
    const pending = this.pendingTools.get(m.tool_call_id)
    if (!pending) return false
    this.pendingTools.delete(m.tool_call_id)
    if (m.type === 'tool_response') pending.resolve({ content: m.content, isError: false })
    else pending.resolve({ content: pending.fallback ?? m.content ?? `The tool failed: ${m.error}`, isError: true })
    return true
  }

  private async run(req: ResponseRequest, signal: AbortSignal): Promise<void> {
    if (req.kind === 'speak') {
      // Sentence by sentence, as the model's text is: audio starts sooner and each message stays small.
      const splitter = new SentenceSplitter()
      let first = true
      for (const s of [...splitter.push(req.text), ...splitter.flush()]) {
        await this.say(s, { fromText: req.fromText, signal, first })
        first = false
      }
      this.core.send(out.assistantEnd())
      return
    }
    let model: LanguageModel
    try {
      model = this.state.model()
    } catch (err) {
      return this.reportModelError(err)
    }
    const system = this.state.systemPrompt()
    this.state.consumeTemporaryContext()
    let first = true
    for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
      const tools = this.state.tools()
      const windowed = this.deps.stages.historyWindow(this.state.conversation.messages)
      // Models refuse an empty conversation, which is what a greeting answers (no one has spoken
      // yet): the instruction then stands in as the turn to answer, without joining the conversation.
      const messages: LlmMessage[] =
        windowed.length === 0 && req.instruction ? [{ role: 'user', content: req.instruction }] : windowed
      const calls: LlmToolCall[] = []
      const splitter = new SentenceSplitter()
      const speakAll = async (sentences: string[]) => {
        for (const s of sentences) {
          await this.say(s, { fromText: false, signal, first, latency: first ? req.latency : undefined })
          first = false
        }
      }
      try {
        const stream = model.stream({
          system: req.instruction ? `${system}\n\n${req.instruction}` : system,
          messages,
          tools: [...tools.values()].map((t) => t.spec),
          temperature: this.state.temperature(),
          customSessionId: this.state.customSessionId(),
          chatId: this.core.chatId,
          chatGroupId: this.core.chatGroupId,
          signal,
        })
        for await (const ev of stream) {
          if (signal.aborted) throw new Aborted()
          if (ev.type === 'text') {
            if (req.latency && req.latency.firstToken === undefined) req.latency.firstToken = Date.now()
            await speakAll(splitter.push(ev.delta))
          } else if (ev.type === 'tool_call') calls.push(ev.call)
        }
      } catch (err) {
        if (signal.aborted) throw new Aborted()
        return this.reportModelError(err)
      }
      await speakAll(splitter.flush())
      if (calls.length === 0) break
      let hangUp = false
      for (const call of calls) {
        if (await this.callTool(call, tools, signal)) hangUp = true
      }
      if (hangUp) {
        this.core.send(out.assistantEnd())
        this.state.hangUp()
        return
      }
    }
    if (signal.aborted) throw new Aborted()
    this.core.send(out.assistantEnd())
  }

  private reportModelError(err: unknown): void {
    if (err instanceof LlmError) {
      this.core.log.warn({ code: err.code, slug: err.slug, message: err.message }, 'evi chat: language model error')
      this.core.error({ code: err.code, slug: err.slug }, err.message)
      return
    }
    throw err
  }

  /** Sends one sentence and speaks it; the conversation gets it as soon as it is sent. */
  private async say(
    text: string,
    o: { fromText: boolean; signal: AbortSignal; first: boolean; latency?: TurnLatency },
  ): Promise<void> {
    if (o.signal.aborted) throw new Aborted()
    const id = randomUUID()
    this.core.send(out.assistantMessage({ id, text, fromText: o.fromText }))
    this.state.conversation.assistant(text)
    const parts: Float32Array[] = []
    let rate = 0
    let index = 0
    let recorded = false
    const recordMessage = () => {
      if (recorded) return
      recorded = true
      const metadata = o.latency ? { latency: latencyFigures(o.latency) } : undefined
      if (o.latency) {
        this.core.log.info(metadata, 'evi chat: turn latency')
        this.deps.onTurnLatency?.(o.latency)
      }
      void this.core.record({ role: 'AGENT', type: 'AGENT_MESSAGE', messageText: text, metadata })
    }
    try {
      const chunks = this.deps.stages.speak(
        { text, voice: this.state.voice(), speed: 1, quickStart: o.first },
        o.signal,
      )
      for await (const c of chunks) {
        if (o.signal.aborted) throw new Aborted()
        if (index === 0 && o.latency) o.latency.firstAudio = Date.now()
        this.core.send(out.audioOutput({ id, index: index++, data: c.wav }))
        const at = Math.max(this.core.now(), this.playhead)
        this.playhead = at + (c.pcm.length / c.sampleRate) * 1000
        this.state.recorder.assistant(c.pcm, c.sampleRate, at)
        parts.push(c.pcm)
        rate = c.sampleRate
        recordMessage()
      }
    } catch (err) {
      if (o.signal.aborted || err instanceof Aborted) {
        recordMessage()
        throw new Aborted()
      }
      recordMessage()
      if (err instanceof PoolBusyError) this.core.error(CHAT_ERRORS.serverBusy, 'The server is too busy to speak now')
      else {
        this.core.log.error({ err }, 'evi chat: speech synthesis failed')
        this.core.error(CHAT_ERRORS.speechFailed, 'Speech synthesis failed for this message')
      }
      return
    }
    recordMessage()
    if (parts.length > 0) this.measureAssistant(id, parts, rate)
  }

  /** assistant_prosody for a spoken sentence, off the response's critical path. */
  private measureAssistant(id: string, parts: Float32Array[], rate: number): void {
    const pcm = concatSamples(parts)
    this.deps.stages
      .prosody(pcm, rate, this.core.signal)
      .then((scores) => {
        if (this.core.ended) return
        // With scores left off the socket the message would say nothing; the history keeps them.
        const sent = socketScores(scores, this.deps.evi.prosodyScores)
        if (sent) this.core.send(out.assistantProsody({ id, scores: sent }))
        void this.core.record({ role: 'AGENT', type: 'ASSISTANT_PROSODY', emotionFeatures: scores, metadata: { id } })
      })
      .catch((err: unknown) => {
        if (!this.core.ended) this.core.log.warn({ err }, 'evi chat: assistant prosody failed')
      })
  }

  /** Runs one tool call to its outcome; true when it was hang_up. */
  private async callTool(call: LlmToolCall, tools: Map<string, ChatTool>, signal: AbortSignal): Promise<boolean> {
    const tool = tools.get(call.name)
    const toolType = tool?.type ?? 'function'
    const builtin = toolType === 'builtin'
    this.state.conversation.toolCall(call)
    const message = out.toolCall({
      name: call.name,
      parameters: call.arguments,
      tool_call_id: call.id,
      tool_type: toolType,
      response_required: !builtin,
    })
    this.core.send(message)
    void this.core.record({
      role: 'AGENT',
      type: 'FUNCTION_CALL',
      messageText: call.arguments,
      metadata: { tool_call_id: call.id, name: call.name, parameters: call.arguments, tool_type: toolType },
    })
    this.state.toolCalled(message)
    let outcome: ToolOutcome
    if (!tool) outcome = { content: `There is no tool named "${call.name}".`, isError: true }
    else if (call.name === 'hang_up' && builtin) outcome = { content: 'The call is ending.', isError: false }
    else if (call.name === 'web_search' && builtin) outcome = await this.webSearch(call, tool, signal)
    else outcome = await this.waitForClient(call, tool, signal)
    if (signal.aborted) throw new Aborted()
    this.state.conversation.toolResult({
      toolCallId: call.id,
      toolName: call.name,
      content: outcome.content,
      isError: outcome.isError,
    })
    void this.core.record({
      role: 'TOOL',
      type: 'FUNCTION_CALL_RESPONSE',
      messageText: outcome.content,
      metadata: { tool_call_id: call.id, tool_name: call.name, is_error: outcome.isError },
    })
    return call.name === 'hang_up' && builtin
  }

  private waitForClient(call: LlmToolCall, tool: ChatTool, signal: AbortSignal): Promise<ToolOutcome> {
    const ms = this.deps.evi.toolTimeoutMs
    return new Promise<ToolOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pendingTools.delete(call.id)
        resolve({
          content: tool.fallbackContent ?? `The tool "${call.name}" did not answer within ${ms} ms.`,
          isError: true,
        })
      }, ms)
      const settle = (o: ToolOutcome) => {
        clearTimeout(timer)
        resolve(o)
      }
      this.pendingTools.set(call.id, { resolve: settle, fallback: tool.fallbackContent })
      signal.addEventListener('abort', () => settle({ content: 'stopped', isError: true }), { once: true })
    })
  }

  private async webSearch(call: LlmToolCall, tool: ChatTool, signal: AbortSignal): Promise<ToolOutcome> {
    const search = this.deps.stages.webSearch
    const fail = (why: string): ToolOutcome => ({ content: tool.fallbackContent ?? why, isError: true })
    if (!search) return fail('Web search is not available: this server has no search provider configured.')
    let query = ''
    try {
      query = String((JSON.parse(call.arguments) as { query?: unknown }).query ?? '')
    } catch {
      return fail('The web_search call had no valid query.')
    }
    if (!query) return fail('The web_search call had no query.')
    try {
      return { content: await search(query, signal), isError: false }
    } catch (err) {
      this.core.log.warn({ err }, 'evi chat: web search failed')
      return fail(`Web search failed: ${(err as Error).message}`)
    }
  }
}
