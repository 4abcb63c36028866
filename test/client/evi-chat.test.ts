/**
 * A chat through the client's typed socket (`empathicVoice.chat.connect`) with a scripted model on
 * 127.0.0.1: every send method, session settings in the URL, the control plane (send and connect) on
 * the running chat; then that chat's history through `chats` and `chatGroups`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import {
  BadRequestError,
  NotFoundError,
  UnprocessableEntityError,
  type ProsodiaClient,
  type empathicVoice,
} from '../../src/client/index.js'
import type { ChatSocket } from '../../src/client/resources/evi/index.js'
import { startClientHarness, type ClientHarness, errorOf } from '../helpers/client.js'
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js'
import { until } from '../helpers/live-chat.js'

type Msg = empathicVoice.SubscribeEvent
const WEATHER = JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] })

/** Every message a socket receives, and a way to wait for the next one matching. */
function record(socket: { on(event: 'message', h: (m: Msg) => void): unknown }) {
  const messages: Msg[] = []
  socket.on('message', (m) => messages.push(m))
  return {
    messages,
    /** The first message from index `from` on of this type (waiting up to 30 s). */
    async next<T extends Msg['type']>(type: T, from = 0): Promise<Extract<Msg, { type: T }>> {
      let found: Msg | undefined
      await until(() => (found = messages.slice(from).find((m) => m.type === type)) !== undefined, 30_000, type)
      return found as Extract<Msg, { type: T }>
    },
  }
}

describe('client: empathicVoice.chat, controlPlane, chats and chatGroups', () => {
  let h: ClientHarness
  let llm: FakeLlm
  let evi: ProsodiaClient['empathicVoice']
  let configId: string
  let chatId: string
  let groupId: string

  beforeAll(async () => {
    llm = await startFakeLlm()
    h = await startClientHarness('sqlite', {
      workers: true,
      config: {
        fetchAllowList: ['127.0.0.1'],
        evi: { ...loadConfig({}).evi, llmUrl: llm.baseURL, llmModel: 'scripted' },
      },
    })
    evi = h.client.empathicVoice
    const tool = await evi.tools.createTool({ name: 'get_weather', parameters: WEATHER })
    const config = await evi.configs.createConfig({
      name: 'client-chat',
      eviVersion: '3',
      prompt: { text: 'You are {{name}}, a weather assistant.' },
      tools: [{ id: tool.id, version: 0 }],
    })
    configId = config.id
  }, 60_000)
  afterAll(async () => {
    await h?.close()
    await llm?.close()
  })

  it('holds a chat through the typed socket, steered by the control plane', async () => {
    const socket: ChatSocket = evi.chat.connect({
      configId,
      configVersion: 0,
      allowConnection: true,
      sessionSettings: { variables: { name: 'Sunny' }, customSessionId: 'sess-1' },
    })
    const chat = record(socket)
    await socket.waitForOpen()
    const meta = await chat.next('chat_metadata')
    expect(meta).toMatchObject({ chatId: expect.any(String), chatGroupId: expect.any(String) })
    ;({ chatId, chatGroupId: groupId } = meta)

    // A text turn: the variables and session id from the URL reached the chat.
    llm.script({ text: ['It is sunny', '. Enjoy!'] })
    socket.sendUserInput('Weather in Paris?')
    const end = await chat.next('assistant_end')
    expect(end.customSessionId).toBe('sess-1')
    expect(llm.requests.at(-1)!.body.messages[0]).toMatchObject({ content: 'You are Sunny, a weather assistant.' })
    const said = await chat.next('assistant_message')
    expect(said).toMatchObject({ message: { role: 'assistant', content: 'It is sunny.' }, fromText: false })
    const audio = await chat.next('audio_output')
    expect(atob(audio.data).slice(0, 4)).toBe('RIFF')
    expect(audio.index).toBe(0)

    // Session settings, a tool call answered with an error then with a response.
    socket.sendSessionSettings({
      systemPrompt: 'Answer in one word.',
      audio: { encoding: 'linear16', sampleRate: 16_000, channels: 1 },
    })
    llm.script(
      { toolCall: { id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      { toolCall: { id: 'call_2', name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      { text: ['Rainy.'] },
    )
    let from = chat.messages.length
    socket.sendUserInput('And Oslo?')
    const call1 = await chat.next('tool_call', from)
    expect(call1).toMatchObject({
      toolCallId: 'call_1',
      name: 'get_weather',
      toolType: 'function',
      responseRequired: true,
    })
    from = chat.messages.length
    socket.sendToolErrorMessage({ toolCallId: 'call_1', error: 'timeout', content: 'The service timed out.' })
    const call2 = await chat.next('tool_call', from)
    socket.sendToolResponseMessage({ toolCallId: call2.toolCallId, content: '{"sky":"rain"}' })
    await chat.next('assistant_end', from)
    const sent = JSON.stringify(llm.requests.at(-1)!.body.messages)
    expect(sent).toContain('Answer in one word.')
    expect(sent).toContain('The service timed out.')
    expect(sent).toContain('{\\"sky\\":\\"rain\\"}')

    // The assistant says what it is given; audio in the declared format is accepted silently.
    from = chat.messages.length
    socket.sendAssistantInput({ text: 'Anything else?' })
    expect((await chat.next('assistant_message', from)).message.content).toBe('Anything else?')
    await chat.next('assistant_end', from)
    socket.sendAudioInput({ data: btoa(String.fromCharCode(...new Uint8Array(3200))) })

    // Paused, the user's words wait; resumed, the assistant answers them.
    const asked = llm.requests.length
    socket.pauseAssistant()
    from = chat.messages.length
    socket.sendUserInput('Still there?')
    await chat.next('user_message', from)
    await new Promise((r) => setTimeout(r, 300))
    expect(llm.requests.length).toBe(asked)
    llm.script({ text: ['Yes.'] })
    socket.sendResumeAssistantMessage()
    await chat.next('assistant_end', from)
    expect(llm.requests.length).toBe(asked + 1)
    socket.sendPauseAssistantMessage()
    socket.resumeAssistant()

    // The control plane: a second socket sees the chat, and send() reaches it.
    const control = await evi.controlPlane.connect({ chat_id: chatId })
    const seen = record(control)
    await control.waitForOpen()
    await new Promise((r) => setTimeout(r, 100))
    llm.script({ text: ['Heard you, control.'] })
    from = chat.messages.length
    expect(await evi.controlPlane.send(chatId, { type: 'user_input', text: 'From the control plane' })).toBeUndefined()
    await chat.next('assistant_end', from)
    await seen.next('assistant_end')
    expect(
      seen.messages.some((m) => m.type === 'assistant_message' && m.message.content === 'Heard you, control.'),
    ).toBe(true)
    from = chat.messages.length
    control.sendPublish({ type: 'assistant_input', text: 'Said by control.' })
    expect((await chat.next('assistant_message', from)).message.content).toBe('Said by control.')

    const unknown = await errorOf(evi.controlPlane.send('no-such-chat', { type: 'pause_assistant_message' }))
    expect(unknown).toBeInstanceOf(NotFoundError)
    const bob = h.clientAs('bob').empathicVoice
    expect((await errorOf(bob.controlPlane.send(chatId, { type: 'pause_assistant_message' }))).statusCode).toBe(404)
    const bad = await errorOf(evi.controlPlane.send(chatId, { type: 'user_input' } as never))
    expect(bad).toBeInstanceOf(UnprocessableEntityError)
    expect(bad.body).toMatchObject({ detail: [expect.objectContaining({ loc: expect.arrayContaining(['body']) })] })

    const controlClosed = control.closed()
    socket.close()
    expect((await socket.closed()).code).toBe(1000)
    await controlClosed
    expect(chat.messages.filter((m) => m.type === 'error')).toEqual([])
  }, 120_000)

  it('chats: listChats, listChatEvents over pages, getAudio; errors', async () => {
    const row = await until(
      async () => {
        for await (const c of await evi.chats.listChats({ configId })) if (c.id === chatId) return c.status !== 'ACTIVE'
        return false
      },
      30_000,
      'the chat to end',
    ).then(async () => (await evi.chats.listChats({ status: 'USER_ENDED' })).data[0]!)
    expect(row).toMatchObject({ id: chatId, chatGroupId: groupId, status: 'USER_ENDED', config: { id: configId } })

    const first = await evi.chats.listChatEvents(chatId, { pageSize: 3 })
    expect(first.response).toMatchObject({ id: chatId, pageNumber: 0, pageSize: 3, paginationDirection: 'ASC' })
    expect(first.response.totalPages).toBeGreaterThan(2)
    const events = []
    for await (const e of first) events.push(e)
    expect(events.length).toBeGreaterThan(6)
    const types = events.map((e) => e.type)
    for (const t of [
      'CHAT_START_MESSAGE',
      'USER_MESSAGE',
      'AGENT_MESSAGE',
      'FUNCTION_CALL',
      'PAUSE_ONSET',
      'RESUME_ONSET',
    ])
      expect(types).toContain(t)
    expect(events[0]).toMatchObject({ chatId, messageText: expect.any(String), emotionFeatures: expect.any(String) })
    let pages = 0
    for await (const page of first.iterPages()) pages += page.data.length > 0 ? 1 : 0
    expect(pages).toBe(first.response.totalPages)
    const newest = await evi.chats.listChatEvents(chatId, { ascendingOrder: false, pageSize: 1 })
    expect(newest.data[0]!.type).toBe('CHAT_END_MESSAGE')

    const audio = await until(
      async () => (await evi.chats.getAudio(chatId)).status === 'COMPLETE',
      90_000,
      'the audio',
    ).then(() => evi.chats.getAudio(chatId))
    expect(audio).toMatchObject({ id: chatId, status: 'COMPLETE', signedAudioUrl: expect.any(String) })
    expect((await fetch(audio.signedAudioUrl!)).status).toBe(200)

    const bob = h.clientAs('bob').empathicVoice.chats
    expect(await errorOf(bob.listChatEvents(chatId))).toBeInstanceOf(NotFoundError)
    expect((await errorOf(bob.getAudio(chatId))).statusCode).toBe(404)
    expect((await bob.listChats()).data).toEqual([])
    const bad = await errorOf(evi.chats.listChats({ status: 'NOPE' as never }))
    expect(bad).toBeInstanceOf(BadRequestError)
    expect(bad.body).toMatchObject({ error: 'Bad Request', message: expect.stringContaining('status') })
  }, 120_000)

  it('chatGroups: listChatGroups, getChatGroup, getAudio, listChatGroupEvents; errors', async () => {
    // A second chat resumes the group, so the group has two chats.
    const resumed = evi.chat.connect({ configId, resumedChatGroupId: groupId })
    const chat = record(resumed)
    await resumed.waitForOpen()
    expect((await chat.next('chat_metadata')).chatGroupId).toBe(groupId)
    resumed.close()
    await resumed.closed()

    const groups = await evi.chatGroups.listChatGroups({ pageSize: 1, configId })
    expect(groups.data[0]).toMatchObject({ id: groupId, numChats: 2, mostRecentConfig: { id: configId } })
    const group = await until(async () => (await evi.chatGroups.getChatGroup(groupId)).active === false, 30_000).then(
      () => evi.chatGroups.getChatGroup(groupId, { pageSize: 1, ascendingOrder: true }),
    )
    expect(group).toMatchObject({ id: groupId, numChats: 2, totalPages: 2, pageSize: 1 })
    expect(group.chatsPage[0]!.id).toBe(chatId)
    const audio = await evi.chatGroups.getAudio(groupId, { pageSize: 1 })
    expect(audio).toMatchObject({ id: groupId, numChats: 2, totalPages: 2 })
    expect(audio.audioReconstructionsPage[0]).toMatchObject({ id: chatId, status: expect.any(String) })

    const events = await evi.chatGroups.listChatGroupEvents(groupId, { pageSize: 4 })
    expect(events.response).toMatchObject({ id: groupId, pageSize: 4 })
    const all = []
    for await (const e of events) all.push(e)
    expect(all.length).toBeGreaterThan(4)
    expect(new Set(all.map((e) => e.chatId)).size).toBe(2)
    const pageSizes = []
    for await (const page of events.iterPages()) pageSizes.push(page.data.length)
    expect(pageSizes.length).toBe(events.response.totalPages)

    const bob = h.clientAs('bob').empathicVoice.chatGroups
    expect(await errorOf(bob.getChatGroup(groupId))).toBeInstanceOf(NotFoundError)
    expect((await errorOf(bob.getAudio(groupId))).statusCode).toBe(404)
    expect((await errorOf(bob.listChatGroupEvents(groupId))).statusCode).toBe(404)
    expect((await bob.listChatGroups()).data).toEqual([])
    const bad = await errorOf(evi.chatGroups.listChatGroups({ pageSize: 1000 }))
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toMatchObject({ message: expect.stringContaining('page_size') })
    // The chat has ended: the control plane no longer reaches it.
    expect((await errorOf(evi.controlPlane.send(chatId, { type: 'resume_assistant_message' }))).statusCode).toBe(404)
  }, 120_000)
})
