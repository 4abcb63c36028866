// The control plane against a real chat: with allow_connection=true, POST /v0/evi/chat/{id}/send
// drives the chat as its client would (a user_input is answered on the chat socket) and the
// /connect socket receives every message the chat sends, parsing strictly, until the chat ends.
// Without allow_connection, /connect is refused; another account cannot reach the chat at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { expectValidServerMessage, isType, type Raw } from '../../helpers/evi-chat.js'
import { until } from '../../helpers/live-chat.js'
import { said, startChatHarness, type ChatHarness, type Who } from './chat-harness.js'

interface Connection {
  ws: WebSocket
  messages: Raw[]
  closed: Promise<{ code: number }>
}

describe('EVI control plane with a real chat', () => {
  let h: ChatHarness
  let configId: string
  beforeAll(async () => {
    h = await startChatHarness()
    configId = (await h.createConfig()).id
  })
  afterAll(() => h?.close())

  /** Opens /connect; the connection once open, or the status the handshake was refused with. */
  const connect = (chatId: string, who: Who = 'alice') =>
    new Promise<Connection | number>((resolve) => {
      const ws = new WebSocket(`${h.baseUrl.replace('http', 'ws')}/v0/evi/chat/${chatId}/connect`, {
        headers: h.t.auth(who),
      })
      const messages: Raw[] = []
      const closed = new Promise<{ code: number }>((r) => ws.on('close', (code) => r({ code })))
      ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Raw))
      ws.on('open', () => resolve({ ws, messages, closed }))
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('error', () => {})
    })
  const send = (chatId: string, body: object, who: Who = 'alice') =>
    h.t.app.inject({ method: 'POST', url: `/v0/evi/chat/${chatId}/send`, headers: h.t.auth(who), payload: body })

  it('lets /send drive the chat and /connect follow it', async () => {
    const chat = await h.open({ configId, allowConnection: true })
    const chatId = (await chat.next(isType('chat_metadata'))).chat_id as string
    const conn = await connect(chatId)
    if (typeof conn === 'number') throw new Error(`/connect refused with ${conn}`)

    h.llm.script({ text: ['Hello, control plane.'] })
    const res = await send(chatId, { type: 'user_input', text: 'Hi from the control plane.' })
    expect(res.statusCode).toBe(200)
    const user = await chat.next(isType('user_message'))
    expect(user).toMatchObject({ from_text: true, message: { content: 'Hi from the control plane.' } })
    await chat.next(isType('assistant_end'))
    expect(said(chat.messages)).toEqual(['Hello, control plane.'])

    // The /connect socket saw the same conversation, from the user's message to the end.
    await until(() => conn.messages.some((m) => m.type === 'assistant_end'), 10_000, 'assistant_end on /connect')
    const seen = conn.messages.map((m) => m.type)
    expect(seen).toContain('user_message')
    expect(seen).toContain('audio_output')
    expect(seen.at(-1)).toBe('assistant_end')
    expect(said(conn.messages)).toEqual(['Hello, control plane.'])
    for (const m of conn.messages) expectValidServerMessage(m)

    // A message from /connect reaches the chat like its own client's.
    conn.ws.send(JSON.stringify({ type: 'assistant_input', text: 'Said through the connection.' }))
    await chat.next((m) => m.type === 'assistant_message' && said([m])[0] === 'Said through the connection.')

    // Bob reaches neither door.
    expect((await send(chatId, { type: 'user_input', text: 'bob here' }, 'bob')).statusCode).toBe(404)
    expect(await connect(chatId, 'bob')).toBe(404)

    // The connection ends with the chat.
    chat.close()
    await chat.closed
    expect((await conn.closed).code).toBe(1000)
    expect((await send(chatId, { type: 'user_input', text: 'anyone?' })).statusCode).toBe(404)
    expect(chat.invalid).toEqual([])
  })

  it('refuses /connect to a chat opened without allow_connection', async () => {
    const chat = await h.open({ configId })
    const chatId = (await chat.next(isType('chat_metadata'))).chat_id as string
    const refused = await connect(chatId)
    expect(refused).toBe(409)
    chat.close()
    await chat.closed
    expect(chat.invalid).toEqual([])
  })
})
