// What the assistant says without being asked: the config's on_new_chat greeting (its text spoken
// as is, or, enabled without text, a greeting from the model) and assistant_input (the client's
// text spoken verbatim: assistant_message from_text true, its audio, assistant_end).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isType, type ChatRun } from '../../helpers/evi-chat.js'
import { said, startChatHarness, type ChatHarness } from './chat-harness.js'

/** The assistant_message, its audio_output chunks (complete WAVs, indexed from 0) and the assistant_end after them. */
function expectSpoken(chat: ChatRun, text: string, fromText: boolean) {
  const message = chat.messages.find((m) => m.type === 'assistant_message' && m.message && said([m])[0] === text)
  expect(message).toMatchObject({ from_text: fromText, message: { role: 'assistant', content: text } })
  const audio = chat.messages.filter((m) => m.type === 'audio_output' && m.id === message!.id)
  expect(audio.length).toBeGreaterThan(0)
  expect(audio.map((a) => a.index)).toEqual(audio.map((_, i) => i))
  for (const a of audio) expect(Buffer.from(a.data as string, 'base64').toString('ascii', 0, 4)).toBe('RIFF')
  const end = chat.messages.findIndex((m, i) => m.type === 'assistant_end' && i > chat.messages.indexOf(audio.at(-1)!))
  expect(end).toBeGreaterThan(chat.messages.indexOf(message!))
}

describe('EVI chat: greeting and assistant_input', () => {
  let h: ChatHarness
  beforeAll(async () => {
    h = await startChatHarness()
  })
  afterAll(() => h?.close())

  it('speaks the on_new_chat text as given, without asking the model', async () => {
    const { id } = await h.createConfig({
      event_messages: { on_new_chat: { enabled: true, text: 'Welcome back! How can I help?' } },
    })
    const before = h.llm.requests.length
    const chat = await h.open({ configId: id })
    await chat.next(isType('assistant_end'))
    expect(chat.messages[0]!.type).toBe('chat_metadata')
    // Spoken sentence by sentence, as the model's text is.
    expect(said(chat.messages)).toEqual(['Welcome back!', 'How can I help?'])
    expectSpoken(chat, 'Welcome back!', false)
    expectSpoken(chat, 'How can I help?', false)
    expect(h.llm.requests.length).toBe(before)
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })

  it('asks the model for a greeting when on_new_chat has no text', async () => {
    const { id } = await h.createConfig({ event_messages: { on_new_chat: { enabled: true } } })
    h.llm.script({ text: ['Hi, I am your', ' test assistant.'] })
    const before = h.llm.requests.length
    const chat = await h.open({ configId: id })
    await chat.next((m) => m.type === 'assistant_end' || m.type === 'error', { timeoutMs: 10_000 })
    expect(chat.all('error')).toEqual([])
    expect(said(chat.messages)).toEqual(['Hi, I am your test assistant.'])
    expectSpoken(chat, 'Hi, I am your test assistant.', false)
    expect(h.llm.requests.length).toBe(before + 1)
    // No user has spoken: the model is told to greet.
    const system = h.llm.requests.at(-1)!.body.messages[0] as { role: string; content: string }
    expect(system.role).toBe('system')
    expect(system.content).toMatch(/greet/i)
    // The greeting joins the conversation; the instruction behind it does not.
    chat.socket.sendUserInput('Nice to meet you.')
    await chat.next(isType('assistant_end'), { from: chat.messages.length })
    expect((h.llm.requests.at(-1)!.body.messages as unknown[]).slice(1)).toEqual([
      { role: 'assistant', content: 'Hi, I am your test assistant.' },
      { role: 'user', content: 'Nice to meet you.' },
    ])
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })

  it('does not greet when on_new_chat is disabled', async () => {
    const { id } = await h.createConfig({ event_messages: { on_new_chat: { enabled: false, text: 'Hello!' } } })
    const chat = await h.open({ configId: id })
    await chat.next(isType('chat_metadata'))
    await new Promise((r) => setTimeout(r, 300))
    expect(chat.all('assistant_message')).toEqual([])
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })

  it('speaks assistant_input verbatim', async () => {
    const { id } = await h.createConfig()
    const before = h.llm.requests.length
    const chat = await h.open({ configId: id })
    await chat.next(isType('chat_metadata'))
    // Two sentences and odd spacing: said as sent, never reworded, one assistant_message per sentence.
    const text = 'Let me check that for you.  One moment, please.'
    chat.socket.sendAssistantInput({ text })
    await chat.next(isType('assistant_end'))
    expectSpoken(chat, 'Let me check that for you.', true)
    expectSpoken(chat, 'One moment, please.', true)
    expect(said(chat.messages)).toEqual(['Let me check that for you.', 'One moment, please.'])
    expect(h.llm.requests.length).toBe(before)

    // What the assistant said is part of the conversation the model sees next.
    chat.socket.sendUserInput('Thanks.')
    await chat.next(isType('assistant_end'), { from: chat.messages.length })
    const sent = h.llm.requests.at(-1)!.body.messages as { role: string; content: string }[]
    expect(sent.slice(1)).toEqual([
      { role: 'assistant', content: 'Let me check that for you. One moment, please.' },
      { role: 'user', content: 'Thanks.' },
    ])
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })
})
