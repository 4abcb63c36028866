// The EVI control plane across two API nodes sharing Redis: chats registered on node A (fakes
// standing in for the chat socket, as in control-plane.test.ts) are reached from node B through
// POST /v0/evi/chat/{chat_id}/send and the /connect socket, with the same answers as on one node.
import { serialization } from 'hume'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { ClusterLiveChats } from '../../../src/domains/evi/chat/cluster-chats.js'
import { startTestCluster, type ClusterNode, type TestCluster } from '../../helpers/cluster-apps.js'
import { dialects } from '../../helpers/dialects.js'
import { FakeLiveChat, until } from '../../helpers/live-chat.js'

type Msg = Record<string, unknown>
type Who = 'alice' | 'bob'

interface Client {
  ws: WebSocket
  messages: Msg[]
  closed: Promise<{ code: number; reason: string }>
}

describe.each(dialects())('EVI control plane across two nodes (%s)', (dialect) => {
  let c: TestCluster
  let probe: Redis
  let chats: FakeLiveChat[] = []
  beforeAll(async () => {
    c = await startTestCluster(dialect, { domains: ['evi'], runtime: { cluster: { livenessMs: 200 } } })
    probe = new Redis(c.redis.url)
  })
  afterEach(() => {
    for (const x of chats) x.end()
    chats = []
  })
  afterAll(async () => {
    probe?.disconnect()
    await c?.close()
  })

  /** A chat running on node A, once node B can see it. */
  const chatOnA = async (id: string, o: { who?: Who; allowConnection?: boolean } = {}) => {
    const acct = o.who === 'bob' ? c.bob : c.alice
    const x = new FakeLiveChat(c.a.rt.liveChats, acct.account_id, id, o.allowConnection ?? true)
    chats.push(x)
    await until(async () => (await probe.exists(`${c.config.redisPrefix}:evi:live:${id}`)) === 1, 5000, 'registry')
    return x
  }
  const send = (node: ClusterNode, chatId: string, body: unknown, who: Who = 'alice') =>
    node.app.inject({
      method: 'POST',
      url: `/v0/evi/chat/${chatId}/send`,
      headers: c.auth(who),
      payload: body as object,
    })
  const connect = (node: ClusterNode, chatId: string, who: Who = 'alice') =>
    new Promise<Client | number>((resolve) => {
      const ws = new WebSocket(`${node.baseUrl.replace('http', 'ws')}/v0/evi/chat/${chatId}/connect`, {
        headers: c.auth(who),
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

  it('POST /send on node B reaches a chat on node A', async () => {
    const x = await chatOnA('cross-send')
    const res = await send(c.b, 'cross-send', { type: 'user_input', text: 'Hello from B' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('')
    const settings = { type: 'session_settings', system_prompt: 'Be brief.', variables: { n: 1 } }
    expect((await send(c.b, 'cross-send', settings)).statusCode).toBe(200)
    expect(x.received).toEqual([{ type: 'user_input', text: 'Hello from B' }, settings])
  })

  it("answers the chat's own refusal as 422, as on one node", async () => {
    const x = await chatOnA('cross-reject')
    x.reject = { type: 'tool_response', message: 'no tool call t-9 is waiting for a response' }
    const res = await send(c.b, 'cross-reject', { type: 'tool_response', tool_call_id: 't-9', content: '42' })
    expect(res.statusCode).toBe(422)
    expect(res.json()).toEqual({
      detail: [{ loc: ['body'], msg: 'no tool call t-9 is waiting for a response', type: 'value_error' }],
    })
    expect(serialization.empathicVoice.HttpValidationError.parse(res.json()).ok).toBe(true)
  })

  it("answers 404 on node B for an unknown chat, another account's and an ended one", async () => {
    const x = await chatOnA('cross-alice')
    for (const [id, who] of [
      ['no-such-chat', 'alice'],
      ['cross-alice', 'bob'],
    ] as const) {
      for (const node of [c.a, c.b]) {
        const res = await send(node, id, { type: 'pause_assistant_message' }, who)
        expect(res.statusCode).toBe(404)
        expect(res.json()).toMatchObject({ code: 'not_found', message: `Active chat ${id} not found` })
      }
      expect(await connect(c.b, id, who)).toBe(404)
    }
    x.end()
    await until(async () => (await probe.exists(`${c.config.redisPrefix}:evi:live:cross-alice`)) === 0, 5000, 'gone')
    expect((await send(c.b, 'cross-alice', { type: 'pause_assistant_message' })).statusCode).toBe(404)
    expect(await connect(c.b, 'cross-alice')).toBe(404)
    expect(x.received).toEqual([])
  })

  it('answers 404 for a chat whose node has died (its entry not yet expired)', async () => {
    const entry = { node: 'a-node-that-died', accountId: c.alice.account_id, chatGroupId: 'g', allowConnection: true }
    await probe.set(`${c.config.redisPrefix}:evi:live:orphan`, JSON.stringify(entry), 'PX', 30_000)
    const res = await send(c.b, 'orphan', { type: 'pause_assistant_message' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ message: 'Active chat orphan not found' })
    // /connect may be let in by the entry, but closes at once: nobody runs the chat.
    const conn = await connect(c.b, 'orphan')
    if (typeof conn === 'number') expect(conn).toBe(404)
    else expect(await conn.closed).toEqual({ code: 1000, reason: 'the chat has ended' })
    await probe.del(`${c.config.redisPrefix}:evi:live:orphan`)
  })

  it('/connect on node B follows a chat on node A and talks to it, until it ends', async () => {
    const x = await chatOnA('cross-relay')
    const client = await connect(c.b, 'cross-relay')
    if (typeof client === 'number') throw new Error(`/connect refused with ${client}`)
    // The owner relays once B has asked; emit until the first message gets through.
    const first = { type: 'assistant_message', id: 'a0', message: { role: 'assistant', content: 'Hi!' }, models: {} }
    await until(
      () => {
        x.emit(first)
        return client.messages.length > 0
      },
      5000,
      'the first relayed message',
    )
    for (let i = 1; i <= 20; i++) x.emit({ type: 'audio_output', id: 'a1', index: i, data: 'AAAA' })
    x.emit({ type: 'assistant_end' })
    await until(() => client.messages.some((m) => m.type === 'assistant_end'), 5000, 'relayed messages')
    const audio = client.messages.filter((m) => m.type === 'audio_output').map((m) => m.index)
    expect(audio).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(client.messages.at(-1)).toEqual({ type: 'assistant_end' })
    // B's client messages go to the chat on A in order; audio is refused on B itself.
    client.ws.send(JSON.stringify({ type: 'user_input', text: 'one' }))
    client.ws.send(JSON.stringify({ type: 'audio_input', data: 'AAAA' }))
    client.ws.send(JSON.stringify({ type: 'assistant_input', text: 'two' }))
    await until(() => x.received.length === 2, 5000, 'messages to the chat')
    expect(x.received).toEqual([
      { type: 'user_input', text: 'one' },
      { type: 'assistant_input', text: 'two' },
    ])
    await until(() => client.messages.some((m) => m.type === 'error'), 5000, 'the audio refusal')
    expect(client.messages.find((m) => m.type === 'error')).toMatchObject({ slug: 'audio_input_not_allowed' })
    // A rejection by the chat on A comes back as the chat's own error message.
    x.reject = {
      type: 'tool_error',
      message: 'unknown tool call',
      spec: { code: 'E0708', slug: 'unknown_tool_call_id' },
    }
    client.ws.send(JSON.stringify({ type: 'tool_error', tool_call_id: 'x', error: 'boom' }))
    await until(() => client.messages.some((m) => m.slug === 'unknown_tool_call_id'), 5000, 'the rejection')
    x.end()
    expect(await client.closed).toEqual({ code: 1000, reason: 'the chat has ended' })
    await until(() => c.b.rt.sockets.count() === 0, 5000, "B's socket released")
  })

  it('stops publishing a chat once no node follows it', async () => {
    const x = await chatOnA('cross-quiet')
    const owner = c.a.rt.liveChats as ClusterLiveChats
    expect(owner.followed('cross-quiet')).toBe(false)
    const client = await connect(c.b, 'cross-quiet')
    if (typeof client === 'number') throw new Error(`/connect refused with ${client}`)
    await until(() => owner.followed('cross-quiet'), 5000, 'A relaying')
    client.ws.close()
    await client.closed
    await until(
      () => {
        x.emit({ type: 'assistant_end' })
        return !owner.followed('cross-quiet')
      },
      5000,
      'A to stop relaying',
    )
  })

  it('closes a /connect on node B when the node running the chat dies', async () => {
    const x = await chatOnA('cross-crash')
    const client = await connect(c.b, 'cross-crash')
    if (typeof client === 'number') throw new Error(`/connect refused with ${client}`)
    // A dies: its entry expires (here: deleted) and no end is ever published.
    await probe.del(`${c.config.redisPrefix}:evi:live:cross-crash`)
    ;(c.a.rt.liveChats as unknown as { entries: Map<string, string> }).entries.delete('cross-crash')
    expect(await client.closed).toEqual({ code: 1000, reason: 'the chat has ended' })
    x.end()
  })

  it('refuses /connect on node B to a chat without allow_connection (409)', async () => {
    await chatOnA('cross-private', { allowConnection: false })
    expect(await connect(c.b, 'cross-private')).toBe(409)
    // /send does not need allow_connection, on any node.
    expect((await send(c.b, 'cross-private', { type: 'pause_assistant_message' })).statusCode).toBe(200)
  })
})
