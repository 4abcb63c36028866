// hume@0.16.0's control plane client against the server: `controlPlane.send` and
// `controlPlane.connect`, with a fake chat registered in the runtime's LiveChats.
import { Hume, HumeError, serialization } from 'hume'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dialects } from '../helpers/dialects.js'
import { FakeLiveChat, until } from '../helpers/live-chat.js'
import { startSdkHarness, type SdkHarness } from '../helpers/sdk.js'

describe.each(dialects())('controlPlane through the SDK on %s', (dialect) => {
  let h: SdkHarness
  let chats: FakeLiveChat[] = []
  beforeAll(async () => {
    h = await startSdkHarness(dialect)
  })
  afterEach(() => {
    for (const c of chats) c.end()
    chats = []
  })
  afterAll(() => h.t.close())

  const chat = (id: string) => {
    const c = new FakeLiveChat(h.t.rt.liveChats, h.t.alice.account_id, id)
    chats.push(c)
    return c
  }

  it('send delivers every publish event in snake_case and resolves to nothing', async () => {
    const c = chat('sdk-chat')
    const events: Hume.empathicVoice.ControlPlanePublishEvent[] = [
      { type: 'user_input', text: 'What is the weather?' },
      { type: 'assistant_input', text: 'Let me check.' },
      {
        type: 'session_settings',
        systemPrompt: 'Be brief.',
        customSessionId: 'sess-1',
        variables: { name: 'Ann', age: 30, vip: true },
        context: { text: 'The user is in Oslo.', type: 'persistent' },
        builtinTools: [{ name: 'hang_up' }],
        tools: [{ type: 'function', name: 'get_weather', parameters: '{"type":"object"}', fallbackContent: 'n/a' }],
        audio: { encoding: 'linear16', sampleRate: 16000, channels: 1 },
      },
      { type: 'tool_response', toolCallId: 'call-1', content: '12 C', toolName: 'get_weather', toolType: 'function' },
      { type: 'tool_error', toolCallId: 'call-2', error: 'timeout', content: 'sorry', level: 'warn' },
      { type: 'pause_assistant_message' },
      { type: 'resume_assistant_message' },
    ]
    for (const e of events) expect(await h.evi.controlPlane.send('sdk-chat', e)).toBeUndefined()
    const wire = events.map((e) => serialization.empathicVoice.ControlPlanePublishEvent.jsonOrThrow(e))
    expect(c.received).toEqual(wire)
    expect(c.received[2]).toMatchObject({ system_prompt: 'Be brief.', custom_session_id: 'sess-1' })
  })

  it('send: 404 for a chat that is not running, 422 for a message the chat refuses', async () => {
    const err404 = await h.evi.controlPlane.send('nope', { type: 'pause_assistant_message' }).catch((e: unknown) => e)
    expect(err404).toBeInstanceOf(HumeError)
    expect((err404 as HumeError).statusCode).toBe(404)
    const c = chat('sdk-reject')
    c.reject = { type: 'tool_response', message: 'no tool call call-9 is waiting' }
    const err422 = await h.evi.controlPlane
      .send('sdk-reject', { type: 'tool_response', toolCallId: 'call-9', content: 'x' })
      .catch((e: unknown) => e)
    expect(err422).toBeInstanceOf(Hume.empathicVoice.UnprocessableEntityError)
    expect((err422 as HumeError).body).toEqual({
      detail: [{ loc: ['body'], msg: 'no tool call call-9 is waiting', type: 'value_error' }],
    })
  })

  it('connect relays both ways, reports refusals, and closes with the chat', async () => {
    const c = chat('sdk-connect')
    const socket = await h.evi.controlPlane.connect({ chat_id: 'sdk-connect' })
    const messages: Hume.empathicVoice.SubscribeEvent[] = []
    const closed = new Promise<number>((resolve) => socket.on('close', (e) => resolve(e.code)))
    socket.on('message', (m) => messages.push(m))
    await socket.waitForOpen()
    await until(() => c.subscribers === 1, 5000, 'subscription')
    c.emit({ type: 'assistant_end' })
    socket.sendPublish({ type: 'user_input', text: 'from the control plane' })
    // The SDK refuses to publish audio_input (or anything malformed) itself; a message the chat
    // refuses comes back as an error the SDK parses.
    c.reject = { type: 'tool_response', message: 'no such call', spec: { code: 'E0708', slug: 'unknown_tool_call_id' } }
    socket.sendPublish({ type: 'tool_response', toolCallId: 'call-x', content: '1' })
    await until(() => messages.length === 2 && c.received.length === 1, 5000, 'both directions')
    expect(messages[0]).toEqual({ type: 'assistant_end' })
    expect(messages[1]).toMatchObject({
      type: 'error',
      code: 'E0708',
      slug: 'unknown_tool_call_id',
      message: 'no such call',
    })
    expect(c.received).toEqual([{ type: 'user_input', text: 'from the control plane' }])
    c.end()
    expect(await closed).toBe(1000)
  })
})
