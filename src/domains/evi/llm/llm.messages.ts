/**
 * The conversation in the AI SDK's message shape. Custom language models get each user turn's
 * prosody scores and timing as extra fields of the message, the way Hume sends them
 * (`models.prosody.scores`, `time`); other models get the strongest expressions as words after the
 * text, e.g. "I'm fine {quite tired, somewhat sad, slightly calm}", so a plain LLM can hear the tone.
 */
import { jsonSchema, tool, type JSONSchema7, type ModelMessage, type ToolSet } from 'ai'
import { expressionAdjective } from './expression-words.js'
import type { LlmMessage, LlmTool } from './llm.types.js'

/** How many expressions a plain model is told about per user turn. */
const EXPRESSIONS_IN_TEXT = 3

export function toModelMessages(messages: readonly LlmMessage[], opts: { clm: boolean }): ModelMessage[] {
  const out: ModelMessage[] = []
  for (const m of messages) {
    switch (m.role) {
      case 'user':
        if (opts.clm) {
          const extra = {
            ...(m.prosody && { models: { prosody: { scores: m.prosody } } }),
            ...(m.time && { time: m.time }),
          }
          // openai-compatible spreads a text part's `openaiCompatible` options into the wire message.
          out.push({
            role: 'user',
            content: [{ type: 'text', text: m.content, providerOptions: { openaiCompatible: extra } }],
          })
        } else {
          out.push({ role: 'user', content: withExpressions(m.content, m.prosody) })
        }
        break
      case 'assistant': {
        const parts: Exclude<Extract<ModelMessage, { role: 'assistant' }>['content'], string> = []
        if (m.content) parts.push({ type: 'text', text: m.content })
        for (const call of m.toolCalls ?? []) {
          parts.push({
            type: 'tool-call',
            toolCallId: call.id,
            toolName: call.name,
            input: parseArguments(call.arguments),
          })
        }
        // An empty assistant turn (interrupted before it said anything) is refused by some providers.
        if (parts.length) out.push({ role: 'assistant', content: parts })
        break
      }
      case 'tool':
        out.push({
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: m.toolCallId,
              toolName: m.toolName,
              output: m.isError ? { type: 'error-text', value: m.content } : { type: 'text', value: m.content },
            },
          ],
        })
        break
    }
  }
  return out
}

/** Function tools without `execute`: the model's calls come back to the chat, which asks the client. */
export function toToolSet(tools: readonly LlmTool[]): ToolSet | undefined {
  if (tools.length === 0) return undefined
  const set: ToolSet = {}
  for (const t of tools) {
    set[t.name] = tool({
      ...(t.description && { description: t.description }),
      inputSchema: jsonSchema(t.parameters as JSONSchema7),
    })
  }
  return set
}

/** "text {quite tired, somewhat sad, slightly calm}": the strongest expressions, strongest first. */
export function withExpressions(text: string, scores: Record<string, number> | undefined): string {
  if (!scores) return text
  const top = Object.entries(scores)
    .filter(([, v]) => Number.isFinite(v) && v > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, EXPRESSIONS_IN_TEXT)
    .map(([name, v]) => `${degree(v)} ${expressionAdjective(name)}`)
  return top.length ? `${text} {${top.join(', ')}}` : text
}

function degree(score: number): string {
  if (score < 0.25) return 'slightly'
  if (score < 0.5) return 'somewhat'
  if (score < 0.75) return 'quite'
  return 'very'
}

/** Tool arguments as an object: providers such as Anthropic take only objects as a tool call's input. */
function parseArguments(args: string): unknown {
  try {
    const value: unknown = JSON.parse(args)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}
  } catch {
    return {}
  }
}
