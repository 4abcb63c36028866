// A client that drops its TCP connection (socket.terminate(), no close frame): mid-response, while
// a tool call waits, mid-speech, or before the chat has even opened. Each time the chat ends
// USER_ENDED, the model's request is aborted, the live chat is gone, nothing is left unhandled,
// and the server goes on serving chats.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { expectValidServerMessage, ravdessPcm, type Raw } from '../../helpers/evi-chat.js'
import { until } from '../../helpers/live-chat.js'
import { sleep, startChatHarness, type ChatHarness } from './chat-harness.js'

interface RawChat {
  ws: WebSocket
  messages: Raw[]
  next(type: string): Promise<Raw>
}

describe('EVI chat: the client drops the connection', () => {
  let h: ChatHarness
  let configId: string
  const unhandled: unknown[] = []
  /** Server messages that did not parse strictly against the SDK's SubscribeEvent. */
  const invalid: string[] = []
  const onUnhandled = (err: unknown) => unhandled.push(err)
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled)
    h = await startChatHarness()
    const tool = await h.createTool({ name: 'slow_tool', parameters: '{"type":"object","properties":{}}' })
    configId = (await h.createConfig({ tools: [{ id: tool, version: 0 }] })).id
  })
  afterEach(() => {
    expect(unhandled).toEqual([])
    expect(invalid).toEqual([])
  })
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled)
    await h?.close()
  })

  /** A chat over a plain `ws` socket, so the test can terminate() it. */
  function connect(query = `config_id=${configId}`): Promise<RawChat> {
    const ws = new WebSocket(`${h.baseUrl.replace('http', 'ws')}/v0/evi/chat?${query}`, { headers: h.t.auth() })
    const messages: Raw[] = []
    const waiters: { type: string; resolve: (m: Raw) => void }[] = []
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Raw
      try {
        expectValidServerMessage(m)
      } catch (err) {
        invalid.push((err as Error).message)
      }
      messages.push(m)
      for (const w of waiters.filter((x) => x.type === m.type)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(m)
      }
    })
    ws.on('error', () => {})
    const next = (type: string) =>
      new Promise<Raw>((resolve) => {
        const seen = messages.find((m) => m.type === type)
        if (seen) resolve(seen)
        else waiters.push({ type, resolve })
      })
    return new Promise((resolve, reject) => {
      ws.on('open', () => resolve({ ws, messages, next }))
      ws.on('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)))
    })
  }

  const userInput = (c: RawChat, text: string) => c.ws.send(JSON.stringify({ type: 'user_input', text }))

  async function expectCleanEnd(chatId: string) {
    await until(() => !h.t.rt.liveChats.get(h.t.alice.account_id, chatId), 5000, 'the live chat to go')
    await h.waitForStatus(chatId, 'USER_ENDED')
    const events = (await h.chat(chatId)).events_page
    expect(events.at(-1)).toMatchObject({ type: 'CHAT_END_MESSAGE' })
  }

  it('ends the chat and aborts the model when the client vanishes mid-response', async () => {
    const c = await connect()
    const chatId = (await c.next('chat_metadata')).chat_id as string
    const before = h.llm.requests.length
    h.llm.script({
      text: Array.from({ length: 30 }, (_, i) => `${i ? ' ' : ''}Sentence ${i + 1} of a long answer.`),
      chunkDelayMs: 150,
      // Never finishes by itself: only the server hanging up ends this request.
      hang: true,
    })
    userInput(c, 'Tell me everything.')
    await c.next('audio_output')
    c.ws.terminate()
    expect(await h.llm.requests[before]!.ended).toBe('aborted')
    await expectCleanEnd(chatId)
  })

  it('ends the chat when the client vanishes while a tool call waits for it', async () => {
    const c = await connect()
    const chatId = (await c.next('chat_metadata')).chat_id as string
    h.llm.script({ toolCall: { id: 'call_slow', name: 'slow_tool', arguments: '{}' } })
    userInput(c, 'Use the tool.')
    await c.next('tool_call')
    const requests = h.llm.requests.length
    c.ws.terminate()
    await expectCleanEnd(chatId)
    // The abandoned call is not answered to the model after the chat has gone.
    await sleep(200)
    expect(h.llm.requests.length).toBe(requests)
  })

  it('ends the chat when the client vanishes mid-speech', async () => {
    const c = await connect(`config_id=${configId}&session_settings[audio][sample_rate]=48000`)
    const chatId = (await c.next('chat_metadata')).chat_id as string
    const { pcm } = ravdessPcm()
    // Half the sentence, 20 ms per message, then gone.
    for (let i = 0; i < pcm.length / 2; i += 1920) {
      c.ws.send(JSON.stringify({ type: 'audio_input', data: pcm.subarray(i, i + 1920).toString('base64') }))
      if ((i / 1920) % 10 === 9) await sleep(20)
    }
    c.ws.terminate()
    await expectCleanEnd(chatId)
  })

  it('leaves nothing behind when the client vanishes before the chat opens', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await connect()
      c.ws.terminate()
    }
    await until(() => h.t.rt.liveChats.countFor(h.t.alice.account_id) === 0, 5000, 'no live chats')
    await until(
      async () => {
        const res = await h.t.app.inject({ method: 'GET', url: '/v0/evi/chats?page_size=100', headers: h.t.auth() })
        return (res.json() as { chats_page: { status: string }[] }).chats_page.every((x) => x.status !== 'ACTIVE')
      },
      5000,
      'no chat left ACTIVE',
    )
    // And the server still serves chats.
    const c = await connect()
    await c.next('chat_metadata')
    h.llm.script({ text: ['Still here.'] })
    userInput(c, 'Hello?')
    await c.next('assistant_end')
    c.ws.close()
  })
})
