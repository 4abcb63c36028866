import { describe, expect, it } from 'vitest'
import { HUME_LANGUAGE_EMOTIONS } from '../../expression/language/emotion-map.js'
import { expressionAdjective } from './expression-words.js'
import { toModelMessages, toToolSet, withExpressions } from './llm.messages.js'
import type { LlmMessage } from './llm.types.js'

const conversation: LlmMessage[] = [
  { role: 'assistant', content: 'Hi, how can I help?' },
  { role: 'user', content: 'Weather?', prosody: { Interest: 0.8, Doubt: 0.3 }, time: { begin: 0, end: 700 } },
  { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', arguments: '{"city":"Rome"}' }] },
  { role: 'tool', toolCallId: 'c1', toolName: 'weather', content: 'no such city', isError: true },
  { role: 'assistant', content: '' },
]

describe('toModelMessages', () => {
  it('converts a conversation for a plain model, tone in words, tool calls as objects', () => {
    expect(toModelMessages(conversation, { clm: false })).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: 'Hi, how can I help?' }] },
      { role: 'user', content: 'Weather? {very interested, somewhat doubtful}' },
      {
        role: 'assistant',
        content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Rome' } }],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'c1',
            toolName: 'weather',
            output: { type: 'error-text', value: 'no such city' },
          },
        ],
      },
    ])
  })

  it('gives a custom language model the scores and timing as Hume sends them', () => {
    expect(toModelMessages(conversation, { clm: true })[1]).toEqual({
      role: 'user',
      content: [
        {
          type: 'text',
          text: 'Weather?',
          providerOptions: {
            openaiCompatible: {
              models: { prosody: { scores: { Interest: 0.8, Doubt: 0.3 } } },
              time: { begin: 0, end: 700 },
            },
          },
        },
      ],
    })
  })

  it('sends malformed tool arguments as an empty object rather than failing the turn', () => {
    const [m] = toModelMessages(
      [{ role: 'assistant', content: '', toolCalls: [{ id: 'x', name: 't', arguments: '{oops' }] }],
      { clm: false },
    )
    expect(m).toMatchObject({ content: [{ type: 'tool-call', input: {} }] })
  })
})

describe('withExpressions', () => {
  it('names the three strongest expressions with their degree', () => {
    expect(withExpressions('Okay.', { Calmness: 0.1, Anger: 0.9, Sadness: 0.55, Joy: 0.3, Awe: 0 })).toBe(
      'Okay. {very angry, quite sad, somewhat joyful}',
    )
  })

  it('leaves text without scores alone', () => {
    expect(withExpressions('Okay.', undefined)).toBe('Okay.')
    expect(withExpressions('Okay.', { Joy: 0, Anger: Number.NaN })).toBe('Okay.')
  })

  it('has an adjective for every Hume expression', () => {
    for (const name of HUME_LANGUAGE_EMOTIONS) expect(expressionAdjective(name)).not.toBe(name.toLowerCase())
    expect(expressionAdjective('Zest')).toBe('zest')
  })
})

describe('toToolSet', () => {
  it('declares function tools without executing them', () => {
    const set = toToolSet([{ name: 'weather', description: 'Weather', parameters: { type: 'object' } }])!
    expect(Object.keys(set)).toEqual(['weather'])
    expect(set.weather).not.toHaveProperty('execute')
    expect(toToolSet([])).toBeUndefined()
  })
})
