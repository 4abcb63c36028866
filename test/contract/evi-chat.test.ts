/**
 * EVI's chat socket through hume@0.16.0, as a user's code drives it: real speech from RAVDESS as
 * the user's microphone, a scripted OpenAI-compatible model on 127.0.0.1 (one reply is a tool
 * call), every server message checked strictly against the SDK's SubscribeEvent; afterwards the
 * history, the chat group and the reconstructed audio through the SDK's history methods, and a
 * resumed chat that carries the earlier turns to the model.
 */
import { HumeClient } from 'hume'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { isType, openChat, ravdessPcm, speak, type Raw } from '../helpers/evi-chat.js'
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js'
import { drain } from '../helpers/sdk.js'

const WEATHER = JSON.stringify({
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
})

async function until<T>(f: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await f()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error('condition not reached in time')
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe.each(dialects())('hume SDK: empathicVoice.chat on %s', (dialect) => {
  let t: TestApp
  let llm: FakeLlm
  let client: HumeClient
  let baseUrl: string
  let configId: string

  beforeAll(async () => {
    llm = await startFakeLlm()
    t = await createTestApp(dialect, {
      workers: true,
      config: {
        fetchAllowList: ['127.0.0.1'],
        // Scores on the socket, so that user_message and assistant_prosody carry them (default: omitted).
        evi: { ...loadConfig({}).evi, llmUrl: llm.baseURL, llmModel: 'scripted', prosodyScores: 'zero_filled' },
      },
    })
    baseUrl = await listen(t.app)
    client = new HumeClient({ apiKey: t.alice.api_key, environment: baseUrl, maxRetries: 0 })
    const tool = await client.empathicVoice.tools.createTool({
      name: 'get_weather',
      parameters: WEATHER,
      description: 'The weather in a city',
    })
    const config = await client.empathicVoice.configs.createConfig({
      name: 'chat-test',
      eviVersion: '3',
      prompt: { text: 'You are {{name}}, a weather assistant.' },
      tools: [{ id: tool!.id!, version: 0 }],
    })
    configId = config!.id!
  }, 60_000)
  afterAll(async () => {
    await t?.close()
    await llm?.close()
  })

  it('holds a spoken conversation with a tool call, then serves its history and audio', async () => {
    llm.script(
      { toolCall: { id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { text: ['It is sunny in Paris', '. Enjoy your', ' day!'] },
    )
    const chat = await openChat(client, {
      configId,
      verboseTranscription: true,
      sessionSettings: { variables: { name: 'Sunny' } },
    })
    const meta = await chat.next(isType('chat_metadata'))
    expect(chat.messages[0]!.type).toBe('chat_metadata')
    chat.socket.sendSessionSettings({ audio: { encoding: 'linear16', sampleRate: 48_000, channels: 1 } })
    await speak(chat, ravdessPcm())

    const user = await chat.next((m) => m.type === 'user_message' && m.interim === false)
    expect((user.message as { content: string }).content.length).toBeGreaterThan(0)
    const scores = (user.models as { prosody?: { scores: Record<string, number> } }).prosody!.scores
    expect(Object.keys(scores)).toHaveLength(48)
    // The six emotions the prosody model measures carry its scores; the others are the 0 of zero_filled.
    const measured = ['Anger', 'Boredom', 'Disgust', 'Fear', 'Joy', 'Sadness']
    expect(measured.reduce((sum, k) => sum + scores[k]!, 0)).toBeGreaterThan(0)
    for (const [k, v] of Object.entries(scores)) if (!measured.includes(k)) expect(v).toBe(0)
    const time = user.time as { begin: number; end: number }
    expect(time.end).toBeGreaterThan(time.begin)

    const call = await chat.next(isType('tool_call'))
    expect(call).toMatchObject({
      name: 'get_weather',
      parameters: '{"city":"Paris"}',
      tool_type: 'function',
      response_required: true,
    })
    chat.socket.sendToolResponseMessage({ toolCallId: call.tool_call_id as string, content: '{"sky":"sunny","c":24}' })

    const end = await chat.next(isType('assistant_end'))
    const said = chat.all('assistant_message').map((m) => (m.message as { content: string }).content)
    expect(said).toEqual(['It is sunny in Paris.', 'Enjoy your day!'])
    const audio = chat.all('audio_output')
    expect(audio.length).toBeGreaterThanOrEqual(2)
    for (const a of audio) expect(Buffer.from(a.data as string, 'base64').toString('ascii', 0, 4)).toBe('RIFF')
    // audio_output follows its assistant_message and counts its chunks from 0.
    const firstId = chat.all('assistant_message')[0]!.id
    expect(audio.filter((a) => a.id === firstId).map((a) => a.index)).toEqual(
      audio.filter((a) => a.id === firstId).map((_, i) => i),
    )
    const lastAudio = chat.messages.map((m) => m.type).lastIndexOf('audio_output')
    expect(chat.messages.indexOf(end)).toBeGreaterThan(lastAudio)
    await chat.next(isType('assistant_prosody'))

    // What the model was sent: the filled-in prompt, the user's words, the tool and then its result.
    const [first, second] = llm.requests.slice(-2)
    expect(first!.body.messages[0]).toMatchObject({ role: 'system', content: 'You are Sunny, a weather assistant.' })
    expect(first!.body.tools[0].function.name).toBe('get_weather')
    expect(JSON.stringify(second!.body.messages)).toContain('{\\"sky\\":\\"sunny\\",\\"c\\":24}')

    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed

    // History through the SDK.
    const chatId = meta.chat_id as string
    const groupId = meta.chat_group_id as string
    const row = await until(async () => {
      const chats = await drain(await client.empathicVoice.chats.listChats())
      const c = chats.find((x) => x.id === chatId)
      return c?.status === 'USER_ENDED' ? c : undefined
    })
    expect(row.chatGroupId).toBe(groupId)
    const events = await drain(await client.empathicVoice.chats.listChatEvents(chatId, { ascendingOrder: true }))
    const types = events.map((e) => e.type)
    for (const ty of [
      'CHAT_START_MESSAGE',
      'SYSTEM_PROMPT',
      'SESSION_SETTINGS',
      'USER_MESSAGE',
      'FUNCTION_CALL',
      'FUNCTION_CALL_RESPONSE',
      'AGENT_MESSAGE',
      'CHAT_END_MESSAGE',
    ])
      expect(types).toContain(ty)
    const userEvent = events.find((e) => e.type === 'USER_MESSAGE')!
    expect(Object.keys(JSON.parse(userEvent.emotionFeatures!)).length).toBeGreaterThan(0)
    const agent = events.find((e) => e.type === 'AGENT_MESSAGE' && e.metadata?.includes('latency'))!
    expect(JSON.parse(agent.metadata!).latency.end_of_speech_to_first_audio_ms).toBeGreaterThanOrEqual(0)
    // The same stage timings reach /metrics (ASR transcript, LLM first token, TTS first audio).
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
    for (const stage of ['transcript', 'first_token', 'first_audio'])
      expect(metrics).toMatch(new RegExp(`^prosodia_evi_turn_stage_seconds_count\\{stage="${stage}"\\} [1-9]`, 'm'))
    // Keys never reach the history.
    expect(JSON.stringify(events)).not.toContain('language_model_api_key')

    const group = await client.empathicVoice.chatGroups.getChatGroup(groupId)
    expect(group.numChats).toBe(1)

    const audioInfo = await until(async () => {
      const a = await client.empathicVoice.chats.getAudio(chatId)
      return a.status === 'COMPLETE' ? a : undefined
    }, 60_000)
    const res = await fetch(audioInfo.signedAudioUrl!)
    expect(res.status).toBe(200)
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(10_000)

    // Bob sees none of it.
    const bob = new HumeClient({ apiKey: t.bob.api_key, environment: baseUrl, maxRetries: 0 })
    await expect(bob.empathicVoice.chats.listChatEvents(chatId)).rejects.toMatchObject({ statusCode: 404 })
    await expect(bob.empathicVoice.chatGroups.getChatGroup(groupId)).rejects.toMatchObject({ statusCode: 404 })

    // A resumed chat carries the earlier turns to the model.
    llm.script({ text: ['You asked about Paris.'] })
    const resumed = await openChat(client, { configId, resumedChatGroupId: groupId })
    const meta2 = await resumed.next(isType('chat_metadata'))
    expect(meta2.chat_group_id).toBe(groupId)
    resumed.socket.sendUserInput('What did I ask?')
    await resumed.next(isType('assistant_end'))
    const sent = JSON.stringify(llm.requests.at(-1)!.body.messages)
    expect(sent).toContain('It is sunny in Paris.')
    expect(sent).toContain('What did I ask?')
    expect(resumed.invalid).toEqual([])
    resumed.close()
    await resumed.closed
  }, 120_000)

  it('answers bad messages with coded errors and stays usable', async () => {
    const chat = await openChat(client, { configId })
    await chat.next(isType('chat_metadata'))
    const raw = chat.socket.socket
    raw.send('not json')
    raw.send(JSON.stringify({ type: 'nope' }))
    raw.send(JSON.stringify({ type: 'user_input' }))
    raw.send(JSON.stringify({ type: 'audio_input', data: '!!!' }))
    raw.send(JSON.stringify({ type: 'tool_response', tool_call_id: 'x', content: 'y' }))
    const errors: Raw[] = []
    for (let i = 0; i < 5; i++)
      errors.push(await chat.next(isType('error'), { from: chat.messages.indexOf(errors.at(-1)!) + 1 }))
    expect(errors.map((e) => e.slug)).toEqual([
      'invalid_json',
      'unknown_message_type',
      'invalid_message',
      'invalid_audio',
      'unknown_tool_call_id',
    ])
    llm.script({ text: ['Still here.'] })
    chat.socket.sendUserInput('hello?')
    await chat.next(isType('assistant_end'))
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  }, 60_000)
})
