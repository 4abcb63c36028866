// Tools on the real chat socket: the built-in hang_up ends the chat (USER_ENDED), the built-in
// web_search without a search provider hands the model an honest error, and a user-defined tool's
// fallback_content reaches the model when the client answers tool_error or never answers at all
// (after PROSODIA_TOOL_TIMEOUT_MS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isType } from '../../helpers/evi-chat.js'
import { said, startChatHarness, type ChatHarness } from './chat-harness.js'

const TOOL_TIMEOUT_MS = 1000
const FALLBACK = 'The order system is unavailable; apologise and offer to call back.'

type Sent = { role: string; content: unknown; tool_call_id?: string }
/** The tool-result messages of a model request (OpenAI wire format). */
const toolResults = (body: { messages: Sent[] }) => body.messages.filter((m) => m.role === 'tool')

describe('EVI chat: tools', () => {
  let h: ChatHarness
  let orderConfig: string
  beforeAll(async () => {
    h = await startChatHarness({ evi: { toolTimeoutMs: TOOL_TIMEOUT_MS } })
    const tool = await h.createTool({
      name: 'lookup_order',
      description: 'Look up an order by number',
      parameters: JSON.stringify({ type: 'object', properties: { number: { type: 'string' } }, required: ['number'] }),
      fallback_content: FALLBACK,
    })
    orderConfig = (await h.createConfig({ tools: [{ id: tool, version: 0 }] })).id
  })
  afterAll(() => h?.close())

  it('ends the chat when the model calls the built-in hang_up', async () => {
    const { id } = await h.createConfig({ builtin_tools: [{ name: 'hang_up' }] })
    const chat = await h.open({ configId: id })
    const chatId = (await chat.next(isType('chat_metadata'))).chat_id as string
    h.llm.script({ text: ['Goodbye, take care!'], toolCall: { id: 'call_hang', name: 'hang_up', arguments: '{}' } })
    chat.socket.sendUserInput('That is all, bye.')
    const call = await chat.next(isType('tool_call'))
    expect(call).toMatchObject({
      name: 'hang_up',
      tool_call_id: 'call_hang',
      tool_type: 'builtin',
      response_required: false,
    })
    expect(h.llm.requests.at(-1)!.body.tools.map((t: { function: { name: string } }) => t.function.name)).toContain(
      'hang_up',
    )
    expect(await chat.closed).toMatchObject({ code: 1000 })
    // What it said before hanging up was sent, and the response was closed off.
    expect(said(chat.messages)).toEqual(['Goodbye, take care!'])
    expect(chat.messages.at(-1)!.type).toBe('assistant_end')
    await h.waitForStatus(chatId, 'USER_ENDED')
    const events = (await h.chat(chatId)).events_page
    expect(events.find((e) => e.type === 'FUNCTION_CALL')).toMatchObject({ message_text: '{}' })
    expect(chat.invalid).toEqual([])
  })

  it('tells the model honestly that web_search has no provider', async () => {
    const { id } = await h.createConfig({ builtin_tools: [{ name: 'web_search' }] })
    const chat = await h.open({ configId: id })
    await chat.next(isType('chat_metadata'))
    const first = h.llm.requests.length
    h.llm.script(
      { toolCall: { id: 'call_ws', name: 'web_search', arguments: '{"query":"weather in Oslo"}' } },
      { text: ['I cannot search the web right now.'] },
    )
    chat.socket.sendUserInput('What is the weather in Oslo?')
    const call = await chat.next(isType('tool_call'))
    expect(call).toMatchObject({ name: 'web_search', tool_type: 'builtin', response_required: false })
    await chat.next(isType('assistant_end'))
    expect(h.llm.requests).toHaveLength(first + 2)
    const [result] = toolResults(h.llm.requests[first + 1]!.body)
    expect(result).toMatchObject({ tool_call_id: 'call_ws' })
    expect(String(result!.content)).toMatch(/no search provider/)
    expect(said(chat.messages)).toEqual(['I cannot search the web right now.'])
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })

  it("gives the model the tool's fallback_content when the client answers tool_error", async () => {
    const chat = await h.open({ configId: orderConfig })
    await chat.next(isType('chat_metadata'))
    const first = h.llm.requests.length
    h.llm.script(
      { toolCall: { id: 'call_err', name: 'lookup_order', arguments: '{"number":"42"}' } },
      { text: ['Sorry, I will call you back.'] },
    )
    chat.socket.sendUserInput('Where is order 42?')
    const call = await chat.next(isType('tool_call'))
    expect(call).toMatchObject({ name: 'lookup_order', tool_type: 'function', response_required: true })
    chat.socket.sendToolErrorMessage({
      toolCallId: call.tool_call_id as string,
      error: 'database timeout',
      content: 'the client would rather say this',
      code: 'db_timeout',
      level: 'warn',
    })
    await chat.next(isType('assistant_end'))
    const [result] = toolResults(h.llm.requests[first + 1]!.body)
    expect(result).toMatchObject({ tool_call_id: 'call_err' })
    expect(JSON.stringify(result!.content)).toContain(FALLBACK)
    expect(JSON.stringify(result!.content)).not.toContain('the client would rather say this')
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })

  it('falls back after PROSODIA_TOOL_TIMEOUT_MS when the client never answers', async () => {
    const chat = await h.open({ configId: orderConfig })
    await chat.next(isType('chat_metadata'))
    const first = h.llm.requests.length
    h.llm.script(
      { toolCall: { id: 'call_slow', name: 'lookup_order', arguments: '{"number":"7"}' } },
      { text: ['The order system is down, sorry.'] },
    )
    chat.socket.sendUserInput('Where is order 7?')
    await chat.next(isType('tool_call'))
    const calledAt = Date.now()
    await chat.next(isType('assistant_end'))
    expect(h.llm.requests).toHaveLength(first + 2)
    expect(Date.now() - calledAt).toBeGreaterThanOrEqual(TOOL_TIMEOUT_MS - 50)
    const [result] = toolResults(h.llm.requests[first + 1]!.body)
    expect(JSON.stringify(result!.content)).toContain(FALLBACK)

    // An answer after the deadline no longer matches a waiting call.
    const from = chat.messages.length
    chat.socket.sendToolResponseMessage({ toolCallId: 'call_slow', content: '{"status":"shipped"}' })
    expect(await chat.next(isType('error'), { from })).toMatchObject({ slug: 'unknown_tool_call_id' })
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })
})
