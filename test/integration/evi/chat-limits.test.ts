// What one chat may grow: session variables and metadata (PROSODIA_EVI_MAX_INPUT_TEXT_CHARS), the
// settings it records (by their keys past MAX_STORED_SETTINGS_CHARS), its history
// (PROSODIA_EVI_MAX_EVENTS_PER_CHAT); message types and tool names that are prototype keys; two
// assistant_inputs in a row are both spoken; a failed audio stream recovers with new audio settings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_STORED_SETTINGS_CHARS, MAX_VARIABLES } from '../../../src/domains/evi/chat/chat.settings.js'
import { isType } from '../../helpers/evi-chat.js'
import { startChatHarness, type ChatHarness } from './chat-harness.js'

describe('EVI chat: limits and hostile messages', () => {
  let h: ChatHarness
  beforeAll(async () => {
    h = await startChatHarness({ limits: { eviInputChars: 2000, eviEventsPerChat: 12 } })
  })
  afterAll(() => h?.close())

  it('bounds session variables and metadata, and records large settings by their keys', async () => {
    const chat = await h.open({})
    const meta = await chat.next(isType('chat_metadata'))
    const tooMany = Object.fromEntries(Array.from({ length: MAX_VARIABLES + 1 }, (_, i) => [`v${i}`, 'x']))
    chat.socket.sendSessionSettings({ variables: tooMany })
    expect(await chat.next(isType('error'))).toMatchObject({ slug: 'text_too_long' })
    chat.socket.sendSessionSettings({ variables: { big: 'x'.repeat(2100) } })
    expect(await chat.next(isType('error'), { from: chat.messages.length })).toMatchObject({ slug: 'text_too_long' })
    chat.socket.sendSessionSettings({ metadata: { blob: 'y'.repeat(2100) } })
    expect(await chat.next(isType('error'), { from: chat.messages.length })).toMatchObject({ slug: 'text_too_long' })
    const tools = Array.from({ length: 6 }, (_, i) => ({
      type: 'function' as const,
      name: `tool_${i}`,
      parameters: '{"type":"object"}',
      description: 'd'.repeat(1900),
    }))
    chat.socket.sendSessionSettings({ tools, variables: { a: 'b' } })
    const events = await h.waitForEvents(meta.chat_id as string, (e) => e.some((x) => x.type === 'SESSION_SETTINGS'))
    const stored = events.find((e) => e.type === 'SESSION_SETTINGS')!.message_text!
    expect(stored.length).toBeLessThanOrEqual(MAX_STORED_SETTINGS_CHARS)
    expect(JSON.parse(stored)).toMatchObject({ keys: expect.arrayContaining(['tools', 'variables']) })
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })

  it('answers prototype-named message types and tools with errors, not crashes', async () => {
    const chat = await h.open({})
    await chat.next(isType('chat_metadata'))
    for (const type of ['__proto__', 'constructor', 'toString']) {
      const from = chat.messages.length
      chat.socket.socket.send(JSON.stringify({ type }))
      expect(await chat.next(isType('error'), { from })).toMatchObject({ slug: 'unknown_message_type' })
    }
    const from = chat.messages.length
    chat.socket.sendSessionSettings({
      tools: [{ type: 'function', name: '__proto__', parameters: '{"type":"object"}' }],
    })
    expect(await chat.next(isType('error'), { from })).toMatchObject({ slug: 'invalid_tool_definition' })
    const deep = '{"a":'.repeat(40) + '1' + '}'.repeat(40)
    chat.socket.sendSessionSettings({ tools: [{ type: 'function', name: 'deep', parameters: deep }] })
    expect(await chat.next(isType('error'), { from: chat.messages.length })).toMatchObject({
      slug: 'invalid_tool_definition',
    })
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })

  it('speaks two assistant_inputs in a row, each to its end, sentence by sentence', async () => {
    const chat = await h.open({})
    await chat.next(isType('chat_metadata'))
    chat.socket.sendAssistantInput({ text: 'First thing. Second thing.' })
    chat.socket.sendAssistantInput({ text: 'Third thing.' })
    await chat.next(isType('assistant_end'))
    await chat.next(isType('assistant_end'), { from: chat.messages.findIndex((m) => m.type === 'assistant_end') + 1 })
    const said = chat.all('assistant_message').map((m) => (m.message as { content: string }).content)
    expect(said).toEqual(['First thing.', 'Second thing.', 'Third thing.'])
    for (const m of chat.all('assistant_message'))
      expect(chat.all('audio_output').some((a) => a.id === m.id)).toBe(true)
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })

  it('stops recording history at PROSODIA_EVI_MAX_EVENTS_PER_CHAT but keeps talking', async () => {
    const chat = await h.open({})
    const meta = await chat.next(isType('chat_metadata'))
    for (let i = 0; i < 15; i++) chat.socket.sendSessionSettings({ variables: { n: String(i) } })
    h.llm.script({ text: ['Still talking.'] })
    chat.socket.sendUserInput('hello')
    await chat.next(isType('assistant_end'))
    chat.close()
    await chat.closed
    await h.waitForStatus(meta.chat_id as string, 'USER_ENDED')
    const events = (await h.chat(meta.chat_id as string)).events_page
    // 12 recorded, and the end of the chat always.
    expect(events).toHaveLength(13)
    expect(events.at(-1)!.type).toBe('CHAT_END_MESSAGE')
  })

  it('starts a new audio stream when the audio settings change (the way out of a broken one)', async () => {
    const chat = await h.open({})
    await chat.next(isType('chat_metadata'))
    // A WebM signature followed by garbage: the decoder fails.
    const junk = Buffer.concat([Buffer.from('1a45dfa3', 'hex'), Buffer.alloc(4000, 7)])
    chat.socket.sendAudioInput({ data: junk.toString('base64') })
    await chat.next(isType('error'), { timeoutMs: 20_000 })
    chat.socket.sendSessionSettings({ audio: { encoding: 'linear16', sampleRate: 16_000, channels: 1 } })
    const before = chat.all('error').length
    for (let i = 0; i < 20; i++) chat.socket.sendAudioInput({ data: Buffer.alloc(640).toString('base64') })
    await new Promise((r) => setTimeout(r, 500))
    expect(chat.all('error').length).toBe(before)
    chat.close()
    await chat.closed
  })
})
