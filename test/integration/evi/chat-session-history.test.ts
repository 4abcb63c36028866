// Session behaviour that the chat's history records, on every database dialect: pause/resume
// (a user turn while paused is heard but not answered until resume; PAUSE_ONSET and RESUME_ONSET
// in the events) and session_settings mid-chat (system prompt, variables, persistent and temporary
// context and session tools reach the model; language_model_api_key never reaches the history or
// the logs, whether sent in a message or in the connect URL), and the status and closing event each
// way of ending a chat leaves.
import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dialects } from '../../helpers/dialects.js'
import { isType } from '../../helpers/evi-chat.js'
import { eventTypes, said, sleep, startChatHarness, type ChatHarness } from './chat-harness.js'

/** Timeouts off: the app's timeouts are scaled down (0.01), which would end these chats mid-test. */
const NO_TIMEOUTS = { timeouts: { inactivity: { enabled: false }, max_duration: { enabled: false } } }
const SECRET = 'sk-h5-never-log-this-4242'
const URL_SECRET = 'sk-h5-connect-url-secret-1717'
const ORDER_TOOL = {
  type: 'function' as const,
  name: 'lookup_order',
  description: 'Look up an order by number',
  parameters: JSON.stringify({ type: 'object', properties: { number: { type: 'string' } }, required: ['number'] }),
}

describe.each(dialects())('EVI chat session history on %s', (dialect) => {
  let h: ChatHarness
  const logs: string[] = []
  beforeAll(async () => {
    const stream = new PassThrough()
    stream.on('data', (b: Buffer) => logs.push(b.toString()))
    h = await startChatHarness({ dialect, logStream: stream, runtime: { evi: { timeoutScale: 0.01 } } })
  })
  afterAll(() => h?.close())

  it('hears a user turn while paused and answers it only after resume', async () => {
    const { id } = await h.createConfig(NO_TIMEOUTS)
    const chat = await h.open({ configId: id })
    const chatId = (await chat.next(isType('chat_metadata'))).chat_id as string
    const before = h.llm.requests.length
    chat.socket.pauseAssistant({})
    chat.socket.sendUserInput('Are you there?')
    await chat.next((m) => m.type === 'user_message' && m.from_text === true)
    await sleep(400)
    expect(h.llm.requests.length).toBe(before)
    expect(chat.all('assistant_message')).toEqual([])

    h.llm.script({ text: ['Yes, I am here.'] })
    chat.socket.resumeAssistant({})
    await chat.next(isType('assistant_end'))
    expect(said(chat.messages)).toEqual(['Yes, I am here.'])
    const sent = h.llm.requests.at(-1)!.body.messages as { role: string; content: string }[]
    expect(sent.at(-1)).toMatchObject({ role: 'user', content: 'Are you there?' })

    const events = await h.waitForEvents(chatId, (e) => eventTypes(e).includes('AGENT_MESSAGE'))
    const order = ['PAUSE_ONSET', 'USER_MESSAGE', 'RESUME_ONSET', 'AGENT_MESSAGE'].map((t) =>
      eventTypes(events).indexOf(t),
    )
    expect(order.every((i) => i >= 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })

  it('applies session settings to the next model requests and keeps the key out of history and logs', async () => {
    const { id } = await h.createConfig(NO_TIMEOUTS)
    const chat = await h.open({ configId: id, sessionSettings: { languageModelApiKey: URL_SECRET } })
    const chatId = (await chat.next(isType('chat_metadata'))).chat_id as string
    const first = h.llm.requests.length
    chat.socket.sendSessionSettings({
      systemPrompt: 'You are {{persona}}, speaking with {{user}}.',
      variables: { persona: 'Max', user: 'Ann' },
      context: { text: 'The user likes tea.', type: 'persistent' },
      tools: [ORDER_TOOL],
      languageModelApiKey: SECRET,
    })
    chat.socket.sendSessionSettings({ context: { text: 'The user is in Oslo today.', type: 'temporary' } })
    chat.socket.sendUserInput('Hello!')
    await chat.next(isType('assistant_end'))
    chat.socket.sendUserInput('And again.')
    await chat.next(isType('assistant_end'), { from: chat.messages.length })

    const [a, b] = h.llm.requests.slice(first).map((r) => r.body as { messages: { role: string; content: string }[] })
    const system = (r: typeof a) => r!.messages[0]!
    expect(system(a)).toMatchObject({ role: 'system' })
    expect(system(a).content).toContain('You are Max, speaking with Ann.')
    expect(system(a).content).toContain('The user likes tea.')
    expect(system(a).content).toContain('The user is in Oslo today.')
    expect((a as unknown as { tools: { function: { name: string } }[] }).tools.map((t) => t.function.name)).toEqual([
      'lookup_order',
    ])
    // Temporary context is for one request only; the rest stays.
    expect(system(b).content).toContain('You are Max, speaking with Ann.')
    expect(system(b).content).toContain('The user likes tea.')
    expect(system(b).content).not.toContain('Oslo')
    // The server's own model is called with the operator's key, never the session's.
    for (const r of h.llm.requests.slice(first)) expect(JSON.stringify(r.headers)).not.toContain(SECRET)

    chat.close()
    await chat.closed
    await h.waitForStatus(chatId, 'USER_ENDED')
    const events = (await h.chat(chatId)).events_page
    const settings = events.filter((e) => e.type === 'SESSION_SETTINGS')
    expect(settings.length).toBeGreaterThanOrEqual(2)
    expect(settings.map((e) => e.message_text).join()).toContain('You are {{persona}}')
    const everything = JSON.stringify(events)
    expect(everything).not.toContain(SECRET)
    expect(everything).not.toContain(URL_SECRET)
    expect(everything).not.toContain('language_model_api_key')

    // The logs saw this chat (so they were captured), never its keys.
    const logged = logs.join('')
    expect(logged).toContain(chatId)
    expect(logged).not.toContain(SECRET)
    expect(logged).not.toContain(URL_SECRET)
    expect(chat.invalid).toEqual([])
  })
  it('records how each chat ended: its status and a closing event', async () => {
    // [status, how the chat ends, events it must hold besides the start and the end]
    const endings: [string, () => Promise<string>, string[]][] = [
      [
        'USER_ENDED',
        async () => {
          const chat = await h.open({ configId: (await h.createConfig(NO_TIMEOUTS)).id })
          const chatId = (await chat.next(isType('chat_metadata'))).chat_id as string
          chat.close()
          await chat.closed
          return chatId
        },
        [],
      ],
      [
        'USER_ENDED',
        async () => {
          const { id } = await h.createConfig({ ...NO_TIMEOUTS, builtin_tools: [{ name: 'hang_up' }] })
          const chat = await h.open({ configId: id })
          const chatId = (await chat.next(isType('chat_metadata'))).chat_id as string
          h.llm.script({ toolCall: { id: 'call_bye', name: 'hang_up', arguments: '{}' } })
          chat.socket.sendUserInput('Goodbye.')
          expect((await chat.closed).code).toBe(1000)
          return chatId
        },
        ['FUNCTION_CALL', 'FUNCTION_CALL_RESPONSE'],
      ],
      [
        'INACTIVITY_TIMEOUT',
        async () => {
          const { id } = await h.createConfig({
            timeouts: { inactivity: { enabled: true, duration_secs: 30 }, max_duration: { enabled: false } },
          })
          const chat = await h.open({ configId: id })
          const chatId = (await chat.next(isType('chat_metadata'))).chat_id as string
          expect((await chat.closed).code).toBe(1000)
          return chatId
        },
        [],
      ],
      [
        'MAX_DURATION_TIMEOUT',
        async () => {
          const { id } = await h.createConfig({
            timeouts: { inactivity: { enabled: false }, max_duration: { enabled: true, duration_secs: 30 } },
          })
          const chat = await h.open({ configId: id })
          const chatId = (await chat.next(isType('chat_metadata'))).chat_id as string
          expect((await chat.closed).code).toBe(1000)
          return chatId
        },
        [],
      ],
    ]
    for (const [status, run, extra] of endings) {
      const chatId = await run()
      await h.waitForStatus(chatId, status)
      const events = (await h.chat(chatId)).events_page
      expect(eventTypes(events)[0]).toBe('CHAT_START_MESSAGE')
      expect(events.at(-1)!.type).toBe('CHAT_END_MESSAGE')
      expect(JSON.parse(events.at(-1)!.metadata)).toMatchObject({ status })
      expect(eventTypes(events)).toEqual(expect.arrayContaining(extra))
    }
  })
})
