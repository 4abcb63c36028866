/**
 * A LanguageModel over any AI SDK provider model: streamText with the chat's tools declared but not
 * executed (a call goes back to the chat, which asks the client and continues with the result), no
 * retries (a voice turn cannot wait for backoff), a first-token deadline, and every failure mapped
 * to an LlmError. Stopping — through the request's signal or by leaving the loop — aborts the HTTP
 * request, so an interrupted model stops generating.
 */
import {
  InvalidResponseDataError,
  streamText,
  type LanguageModel as AiModel,
  type TextStreamPart,
  type ToolSet,
} from 'ai'
import { LLM_ERRORS, llmError, toLlmError, type ErrorContext } from './llm.errors.js'
import { toModelMessages, toToolSet } from './llm.messages.js'
import type { LanguageModel, LlmEvent, LlmRequest } from './llm.types.js'

export interface AiSdkModelOptions {
  label: string
  /** The provider model for one request (a custom language model's URL carries the request's session id). */
  model: (req: LlmRequest) => Exclude<AiModel, string>
  /** The config's temperature, used when the request sets none. */
  temperature?: number
  /** Longest wait for the first token (or tool call), ms. */
  firstTokenMs: number
  /** Hume's custom-language-model conventions (prosody fields, E0705). */
  clm: boolean
  /** API keys, kept out of error messages. */
  secrets: readonly (string | undefined)[]
}

export class AiSdkLanguageModel implements LanguageModel {
  readonly label: string

  constructor(private readonly opts: AiSdkModelOptions) {
    this.label = opts.label
  }

  async *stream(req: LlmRequest): AsyncIterable<LlmEvent> {
    if (req.signal.aborted) return
    const ctx: ErrorContext = { label: this.label, clm: this.opts.clm, secrets: this.opts.secrets }
    const call = new AbortController()
    const stop = () => call.abort()
    req.signal.addEventListener('abort', stop, { once: true })
    const temperature = req.temperature ?? this.opts.temperature
    const tools = toToolSet(req.tools)
    let parts: AsyncIterator<TextStreamPart<ToolSet>> | undefined
    try {
      const result = streamText({
        model: this.opts.model(req),
        system: req.system,
        messages: toModelMessages(req.messages, { clm: this.opts.clm }),
        ...(tools && { tools }),
        ...(temperature !== undefined && { temperature }),
        maxRetries: 0,
        abortSignal: call.signal,
        // Errors arrive as stream parts and are mapped below; the default handler would log to the console.
        onError: () => {},
      })
      parts = result.fullStream[Symbol.asyncIterator]()
      const deadline = Date.now() + this.opts.firstTokenMs
      let answering = false
      for (;;) {
        const next = answering ? await parts.next() : await beforeDeadline(parts.next(), deadline, call)
        if (next === TIMED_OUT) {
          throw llmError(
            LLM_ERRORS.timeout,
            `${this.label}: no answer within ${this.opts.firstTokenMs} ms (PROSODIA_LLM_TIMEOUT_MS)`,
          )
        }
        // Parts the SDK had already buffered must not reach a consumer that has stopped listening.
        if (next.done || req.signal.aborted) return
        const part = next.value
        switch (part.type) {
          case 'text-delta':
            answering = true
            if (part.text) yield { type: 'text', delta: part.text }
            break
          case 'reasoning-delta':
            // A reasoning model is answering, just not aloud yet: the first-token deadline is met.
            answering = true
            break
          case 'tool-call':
            answering = true
            // A call to a tool the chat never declared goes nowhere: the client could not answer it.
            if (!req.tools.some((t) => t.name === part.toolName)) break
            yield {
              type: 'tool_call',
              call: {
                id: part.toolCallId,
                name: part.toolName,
                arguments: typeof part.input === 'string' ? part.input : JSON.stringify(part.input ?? {}),
              },
            }
            break
          case 'error':
            // A stream that ends cleanly after some answer but without a finish_reason (hand-written
            // custom language models often omit it) is an answer; one with nothing in it is not.
            if (answering && isMissingFinishReason(part.error)) {
              yield { type: 'finish', reason: 'stop' }
              return
            }
            throw part.error
          case 'abort':
            return
          case 'finish':
            yield { type: 'finish', reason: part.finishReason }
            return
          default:
        }
      }
    } catch (err) {
      if (req.signal.aborted) return
      throw toLlmError(err, ctx)
    } finally {
      req.signal.removeEventListener('abort', stop)
      // Leaving early (a consumer's break, an error) must not leave the model talking to nobody.
      call.abort()
      void parts?.return?.().catch(() => {})
    }
  }
}

const TIMED_OUT = Symbol('timed out')

function isMissingFinishReason(err: unknown): boolean {
  return InvalidResponseDataError.isInstance(err) && /without a finish reason/.test(err.message)
}

async function beforeDeadline<T>(
  p: Promise<T>,
  deadline: number,
  call: AbortController,
): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - Date.now()))
  })
  try {
    const winner = await Promise.race([p, timeout])
    if (winner === TIMED_OUT) {
      call.abort()
      // The pending read settles once the abort lands; nobody waits for it.
      p.catch(() => {})
    }
    return winner
  } finally {
    clearTimeout(timer)
  }
}
