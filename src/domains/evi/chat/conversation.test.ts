import { describe, expect, it } from 'vitest'
import type { StoredChatEvent } from '../history/history.types.js'
import { Conversation, DEFAULT_SYSTEM_PROMPT, fillVariables, systemPrompt } from './conversation.js'

const ev = (type: StoredChatEvent['type'], text?: string, metadata?: object): StoredChatEvent => ({
  id: 'e',
  chat_id: 'c',
  timestamp: 0,
  role: 'USER',
  type,
  message_text: text,
  metadata: metadata ? JSON.stringify(metadata) : undefined,
})

describe('prompt', () => {
  it('fills variables and leaves unset ones empty', () => {
    expect(fillVariables('Hi {{name}}, you are {{ age }}{{missing}}.', { name: 'Ann', age: 7 })).toBe(
      'Hi Ann, you are 7.',
    )
  })

  it('prefers the session prompt and appends context', () => {
    expect(systemPrompt({ configPrompt: 'cfg', sessionPrompt: 'sess', variables: {} })).toBe('sess')
    expect(systemPrompt({ variables: {} })).toBe(DEFAULT_SYSTEM_PROMPT)
    expect(systemPrompt({ configPrompt: 'cfg', variables: {}, persistentContext: 'p', temporaryContext: 't' })).toBe(
      'cfg\n\nContext for this conversation:\np\nt',
    )
  })
})

describe('Conversation.replay', () => {
  it('rebuilds turns and tool exchanges, dropping tool calls that never got a result', () => {
    const c = new Conversation()
    c.replay([
      ev('SYSTEM_PROMPT', 'ignored'),
      ev('USER_MESSAGE', 'What is the weather?'),
      ev('FUNCTION_CALL', undefined, { tool_call_id: 't1', name: 'weather', parameters: '{"city":"Oslo"}' }),
      ev('FUNCTION_CALL_RESPONSE', '12 degrees', { tool_call_id: 't1', tool_name: 'weather' }),
      ev('AGENT_MESSAGE', 'It is 12 degrees.'),
      ev('AGENT_MESSAGE', 'Anything else?'),
      ev('USER_MESSAGE', 'Book a taxi'),
      ev('FUNCTION_CALL', undefined, { tool_call_id: 't2', name: 'taxi', parameters: '{}' }),
    ])
    expect(c.messages).toEqual([
      { role: 'user', content: 'What is the weather?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'weather', arguments: '{"city":"Oslo"}' }] },
      { role: 'tool', toolCallId: 't1', toolName: 'weather', content: '12 degrees', isError: false },
      { role: 'assistant', content: 'It is 12 degrees. Anything else?' },
      { role: 'user', content: 'Book a taxi' },
    ])
  })
})
