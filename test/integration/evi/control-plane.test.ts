// The EVI control plane against chats registered in the runtime's LiveChats (fakes standing in for
// the chat socket): POST /v0/evi/chat/{chat_id}/send and the /connect socket.
import { serialization } from 'hume'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createTestApp, listen, type TestApp } from '../../helpers/app.js'
import { dialects } from '../../helpers/dialects.js'
import { FakeLiveChat, until } from '../../helpers/live-chat.js'

const IDLE_MS = 400

type Msg = Record<string, unknown>

interface Client {
  ws: WebSocket
  messages: Msg[]
  closed: Promise<{ code: number; reason: string }>
}

describe.each(dialects())('EVI control plane on %s', (dialect) => {
  let t: TestApp
  let base: URL
  let chats: FakeLiveChat[] = []
  beforeAll(async () => {
    // A short idle timeout shows that a socket which only listens stays open while its chat runs.
    t = await createTestApp(dialect, {
      domains: ['evi'],
      config: { limits: { wsIdleMs: IDLE_MS, wsBufferedBytes: 256 * 1024 } },
    })
    base = new URL(await listen(t.app))
  })
  afterEach(() => {
    for (const c of chats) c.end()
    chats = []
  })
  afterAll(() => t.close())

  const chat = (id: string, o: { who?: 'alice' | 'bob'; allowConnection?: boolean } = {}) => {
    const acct = o.who === 'bob' ? t.bob : t.alice
    const c = new FakeLiveChat(t.rt.liveChats, acct.account_id, id, o.allowConnection ?? true)
    chats.push(c)
    return c
  }
  const send = (chatId: string, body: unknown, who: 'alice' | 'bob' = 'alice', headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/v0/evi/chat/${chatId}/send`,
      headers: { ...t.auth(who), ...headers },
      ...(typeof body === 'string' ? { body } : { payload: body as object }),
    })

  /** Opens /connect; resolves with the client once open, or with the refusing HTTP status. */
  const connect = (chatId: string, o: { headers?: Record<string, string>; query?: string } = {}) =>
    new Promise<Client | number>((resolve) => {
      const q = o.query ? `?${o.query}` : ''
      const ws = new WebSocket(`ws://${base.host}/v0/evi/chat/${chatId}/connect${q}`, {
        headers: o.headers ?? t.auth(),
      })
      const messages: Msg[] = []
      const closed = new Promise<{ code: number; reason: string }>((r) =>
        ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
      )
      ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Msg))
      ws.on('open', () => resolve({ ws, messages, closed }))
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('error', () => {})
    })
  const open = async (chatId: string, o?: Parameters<typeof connect>[1]) => {
    const c = await connect(chatId, o)
    if (typeof c === 'number') throw new Error(`handshake refused with ${c}`)
    return c
  }

  describe('POST /send', () => {
    it('hands the message to the chat and answers an empty 200', async () => {
      const c = chat('chat-send')
      const res = await send('chat-send', { type: 'user_input', text: 'Hello there' })
      expect(res.statusCode).toBe(200)
      expect(res.body).toBe('')
      const settings = { type: 'session_settings', system_prompt: 'Be brief.', variables: { name: 'Ann', age: 30 } }
      expect((await send('chat-send', settings)).statusCode).toBe(200)
      expect(c.received).toEqual([{ type: 'user_input', text: 'Hello there' }, settings])
    })

    it("answers 404 for an unknown chat, an ended one and another account's", async () => {
      const c = chat('chat-alice')
      for (const [id, who] of [
        ['no-such-chat', 'alice'],
        ['chat-alice', 'bob'],
      ] as const) {
        const res = await send(id, { type: 'pause_assistant_message' }, who)
        expect(res.statusCode).toBe(404)
        expect(res.json()).toMatchObject({ code: 'not_found', message: `Active chat ${id} not found` })
      }
      c.end()
      expect((await send('chat-alice', { type: 'pause_assistant_message' })).statusCode).toBe(404)
      expect(c.received).toEqual([])
      expect(
        (await send('chat-alice', { type: 'pause_assistant_message' }, 'alice', { 'x-hume-api-key': 'nope' }))
          .statusCode,
      ).toBe(401)
    })

    it('refuses bad bodies with 422 naming the field, before the chat sees them', async () => {
      const c = chat('chat-bad')
      const cases: [unknown, (string | number)[]][] = [
        [{ type: 'user_input' }, ['body', 'text']],
        [{ type: 'user_input', text: 42 }, ['body', 'text']],
        [{ type: 'audio_input', data: 'AAAA' }, ['body', 'type']],
        [{ type: 'launch_rockets' }, ['body', 'type']],
        [{ text: 'no type' }, ['body', 'type']],
        [{ type: 'tool_response', content: 'x' }, ['body', 'tool_call_id']],
        [{ type: 'session_settings', audio: { sample_rate: 'fast' } }, ['body', 'audio', 'sample_rate']],
        [[1, 2], ['body']],
      ]
      for (const [body, loc] of cases) {
        const res = await send('chat-bad', body)
        expect(res.statusCode, JSON.stringify(body)).toBe(422)
        expect(res.json().detail[0].loc).toEqual(loc)
      }
      const notJson = await send('chat-bad', '{"type":', 'alice', { 'content-type': 'application/json' })
      expect(notJson.statusCode).toBe(422)
      expect(notJson.json().detail[0].type).toBe('json_invalid')
      const text = await send('chat-bad', 'hello', 'alice', { 'content-type': 'text/plain' })
      expect(text.statusCode).toBe(415)
      expect(c.received).toEqual([])
    })

    it('is described in the OpenAPI document with its body and statuses', () => {
      type Op = {
        requestBody: { content: { 'application/json': { schema: { anyOf: unknown[] } } } }
        responses: object
      }
      const spec = t.app.swagger() as { paths: Record<string, { post?: Op }> }
      const op = spec.paths['/v0/evi/chat/{chat_id}/send']?.post
      expect(op?.requestBody.content['application/json'].schema.anyOf).toHaveLength(7)
      expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '404', '422']))
    })

    it('answers 422 when the chat rejects the message', async () => {
      const c = chat('chat-reject')
      c.reject = { type: 'tool_response', message: 'no tool call t-9 is waiting for a response' }
      const res = await send('chat-reject', { type: 'tool_response', tool_call_id: 't-9', content: '42' })
      expect(res.statusCode).toBe(422)
      expect(res.json()).toEqual({
        detail: [{ loc: ['body'], msg: 'no tool call t-9 is waiting for a response', type: 'value_error' }],
      })
      expect(
        serialization.empathicVoice.HttpValidationError.parse(res.json(), { unrecognizedObjectKeys: 'fail' }).ok,
      ).toBe(true)
    })
  })

  describe('/connect', () => {
    it('relays the chat to the socket and the socket to the chat', async () => {
      const c = chat('chat-relay')
      // With REDIS_URL the registry itself follows each chat (to relay it to other nodes): count from there.
      const own = c.subscribers
      const client = await open('chat-relay')
      await until(() => c.subscribers === own + 1, 5000, 'subscription')
      c.emit({
        type: 'assistant_message',
        id: 'a1',
        message: { role: 'assistant', content: 'Hi!' },
        models: {},
        from_text: false,
      })
      c.emit({ type: 'assistant_end' })
      await until(() => client.messages.length === 2, 5000, 'relayed messages')
      expect(client.messages.map((m) => m.type)).toEqual(['assistant_message', 'assistant_end'])
      client.ws.send(JSON.stringify({ type: 'user_input', text: 'one' }))
      client.ws.send(JSON.stringify({ type: 'assistant_input', text: 'two' }))
      await until(() => c.received.length === 2, 5000, 'messages to the chat')
      expect(c.received).toEqual([
        { type: 'user_input', text: 'one' },
        { type: 'assistant_input', text: 'two' },
      ])
      client.ws.close()
      await client.closed
      await until(() => c.subscribers === own, 5000, 'unsubscription')
    })

    it('refuses audio_input and bad messages with an error message, and stays open', async () => {
      const c = chat('chat-audio')
      c.reject = {
        type: 'tool_error',
        message: 'unknown tool call',
        spec: { code: 'E0708', slug: 'unknown_tool_call_id' },
      }
      const client = await open('chat-audio')
      client.ws.send(JSON.stringify({ type: 'audio_input', data: 'AAAA' }))
      client.ws.send(Buffer.from([1, 2, 3]))
      client.ws.send('{not json')
      client.ws.send(JSON.stringify({ type: 'dance' }))
      client.ws.send(JSON.stringify({ type: 'user_input' }))
      client.ws.send(JSON.stringify({ type: 'tool_error', tool_call_id: 'x', error: 'boom' }))
      client.ws.send(JSON.stringify({ type: 'user_input', text: 'still here' }))
      await until(() => client.messages.length === 6 && c.received.length === 1, 5000, 'answers')
      expect(client.messages.map((m) => [m.code, m.slug])).toEqual([
        ['E0725', 'audio_input_not_allowed'],
        ['E0725', 'audio_input_not_allowed'],
        ['E0100', 'invalid_json'],
        ['E0102', 'unknown_message_type'],
        ['E0101', 'invalid_message'],
        ['E0708', 'unknown_tool_call_id'],
      ])
      for (const m of client.messages)
        expect(serialization.empathicVoice.WebSocketError.parse(m, { unrecognizedObjectKeys: 'fail' }).ok).toBe(true)
      expect(client.messages[4]?.message).toContain('text')
      expect(c.received).toEqual([{ type: 'user_input', text: 'still here' }])
      expect(client.ws.readyState).toBe(WebSocket.OPEN)
      client.ws.close()
    })

    it('stays open while the chat runs, and closes when it ends', async () => {
      const c = chat('chat-end')
      const client = await open('chat-end', { headers: {}, query: `api_key=${t.alice.api_key}` })
      await new Promise((r) => setTimeout(r, IDLE_MS * 2.5))
      expect(client.ws.readyState).toBe(WebSocket.OPEN)
      c.end()
      expect(await client.closed).toEqual({ code: 1000, reason: 'the chat has ended' })
    })

    it('closes a client that stops reading instead of buffering the chat for it', async () => {
      const c = chat('chat-slow')
      const own = c.subscribers
      const client = await open('chat-slow')
      await until(() => c.subscribers === own + 1, 5000, 'subscription')
      const socket = (client.ws as unknown as { _socket: import('node:net').Socket })._socket
      socket.pause()
      const chunk = 'A'.repeat(64 * 1024)
      // Far more than the kernel's socket buffers hold, so the server's own buffer must grow.
      for (let i = 0; i < 600; i++) c.emit({ type: 'audio_output', id: 'a', index: i, data: chunk })
      socket.resume()
      expect((await client.closed).code).toBe(1008)
      // It stopped relaying once it gave up: the client never got the whole stream.
      expect(client.messages.length).toBeLessThan(600)
      await until(() => c.subscribers === own, 5000, 'unsubscription')
    })

    it("refuses unknown chats, another account's, and chats without allow_connection", async () => {
      chat('chat-private', { allowConnection: false })
      chat('chat-bobs', { who: 'bob' })
      expect(await connect('no-such-chat')).toBe(404)
      expect(await connect('chat-bobs')).toBe(404)
      expect(await connect('chat-private')).toBe(409)
      expect(await connect('chat-bobs', { headers: { 'x-hume-api-key': 'wrong' } })).toBe(401)
      expect(t.rt.sockets.count()).toBe(0)
    })
  })
})
