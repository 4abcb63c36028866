import { describe, expect, it } from 'vitest'
import { windowHistory } from './history-window.js'
import type { LlmMessage } from './llm.types.js'

const user = (content: string): LlmMessage => ({ role: 'user', content })
const assistant = (content: string): LlmMessage => ({ role: 'assistant', content })
const call = (id: string, content = ''): LlmMessage => ({
  role: 'assistant',
  content,
  toolCalls: [{ id, name: 'lookup', arguments: '{"q":"x"}' }],
})
const result = (id: string, content = 'ok'): LlmMessage => ({
  role: 'tool',
  toolCallId: id,
  toolName: 'lookup',
  content,
})

const roomy = { maxMessages: 1000, maxChars: 1_000_000 }

/** A chat of `turns` question/answer pairs, "q0"/"a0", "q1"/"a1", … */
function chat(turns: number): LlmMessage[] {
  return Array.from({ length: turns }, (_, i) => [user(`q${i}`), assistant(`a${i}`)]).flat()
}

const contents = (ms: LlmMessage[]) => ms.map((m) => m.content)

describe('windowHistory', () => {
  it('keeps everything that fits, in order, and returns a new array', () => {
    const history = chat(3)
    const window = windowHistory(history, roomy)
    expect(window).toEqual(history)
    expect(window).not.toBe(history)
  })

  it('keeps the newest messages within maxMessages, starting at a user turn', () => {
    expect(contents(windowHistory([...chat(5), user('q5')], { ...roomy, maxMessages: 4 }))).toEqual(['q4', 'a4', 'q5'])
  })

  it('keeps the newest messages within maxChars', () => {
    const history = [
      user('x'.repeat(100)),
      assistant('y'.repeat(100)),
      user('z'.repeat(10)),
      assistant('w'.repeat(10)),
      user('now'),
    ]
    expect(contents(windowHistory(history, { ...roomy, maxChars: 50 }))).toEqual([
      'z'.repeat(10),
      'w'.repeat(10),
      'now',
    ])
    expect(windowHistory(history, { ...roomy, maxChars: 223 })).toHaveLength(5)
    // One character short: the oldest question goes, and with it its answer (a window starts at a question).
    expect(windowHistory(history, { ...roomy, maxChars: 222 })).toHaveLength(3)
  })

  it('counts tool call names and arguments and tool results as characters', () => {
    const history = [user('q0'), call('c1'), result('c1', 'r'.repeat(40)), assistant('done'), user('q1')]
    // call: 'lookup' + '{"q":"x"}' = 15; result: 40 + 'lookup' = 46; 'done' 4; 'q1' 2; 'q0' 2
    expect(windowHistory(history, { ...roomy, maxChars: 69 })).toHaveLength(5)
    expect(contents(windowHistory(history, { ...roomy, maxChars: 68 }))).toEqual(['q1'])
  })

  it('never separates a tool call from its results', () => {
    const history = [
      user('q0'),
      call('c1'),
      result('c1'),
      user('q1'),
      call('c2'),
      result('c2'),
      result('c2b'),
      assistant('a1'),
      user('q2'),
    ]
    const calls: LlmMessage = {
      role: 'assistant',
      content: '',
      toolCalls: [
        { id: 'c2', name: 'lookup', arguments: '{}' },
        { id: 'c2b', name: 'lookup', arguments: '{}' },
      ],
    }
    const twoResults = [user('q0'), user('q1'), calls, result('c2'), result('c2b'), assistant('a1'), user('q2')]
    // The unit [call, result, result] would push 4 messages to 5: it goes, and the window starts at q2.
    expect(contents(windowHistory(twoResults, { ...roomy, maxMessages: 4 }))).toEqual(['q2'])
    expect(windowHistory(twoResults, { ...roomy, maxMessages: 6 }).map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'tool',
      'assistant',
      'user',
    ])
    for (let max = 1; max <= history.length; max++) {
      const window = windowHistory(history, { ...roomy, maxMessages: max })
      const callIds = new Set(
        window.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []).map((c) => c.id) : [])),
      )
      for (const m of window) if (m.role === 'tool') expect(callIds.has(m.toolCallId)).toBe(true)
    }
  })

  it('always keeps the latest user turn and what follows it, even over the limits', () => {
    const long = user('x'.repeat(500))
    expect(windowHistory([...chat(2), long], { maxMessages: 1, maxChars: 10 })).toEqual([long])
    // The current turn's own tool round trip stays with it.
    const turn = [user('book it'), call('c9'), result('c9')]
    expect(windowHistory([...chat(3), ...turn], { maxMessages: 2, maxChars: 1000 })).toEqual(turn)
  })

  it('keeps the assistant greeting that opens a chat when nothing is cut', () => {
    const history = [assistant('Hello! How can I help?'), user('hi')]
    expect(windowHistory(history, roomy)).toEqual(history)
  })

  it('drops tool results whose call is not in the history', () => {
    expect(windowHistory([result('lost'), user('q')], roomy)).toEqual([user('q')])
    expect(windowHistory([user('q0'), result('lost'), assistant('a0'), user('q1')], roomy)).toEqual([
      user('q0'),
      assistant('a0'),
      user('q1'),
    ])
  })

  it('handles an empty history and one without user turns', () => {
    expect(windowHistory([], roomy)).toEqual([])
    expect(windowHistory([assistant('a'), assistant('b')], { ...roomy, maxMessages: 1 })).toEqual([assistant('b')])
  })
})
