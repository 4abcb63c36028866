// Real EVI chats on two API nodes sharing Redis: PROSODIA_EVI_MAX_CHATS_PER_ACCOUNT counts the
// account's chats on every node, and a chat running on node A (opened with allow_connection=true) is
// driven by POST /send on node B and followed (and talked to) by a /connect socket on node B.
import { HumeClient } from 'hume'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { loadConfig } from '../../../src/config.js'
import { ClusterLiveChats } from '../../../src/domains/evi/chat/cluster-chats.js'
import { startTestCluster, type ClusterNode, type TestCluster } from '../../helpers/cluster-apps.js'
import { dialects } from '../../helpers/dialects.js'
import { expectValidServerMessage, isType, openChat, type Raw } from '../../helpers/evi-chat.js'
import { startFakeLlm, type FakeLlm } from '../../helpers/fake-llm.js'
import { until } from '../../helpers/live-chat.js'
import { QUIET_CONFIG, said } from './chat-harness.js'

type Who = 'alice' | 'bob'

describe.each(dialects())('EVI chats across two nodes (%s)', (dialect) => {
  let c: TestCluster
  let llm: FakeLlm
  let configId: string
  beforeAll(async () => {
    llm = await startFakeLlm()
    c = await startTestCluster(dialect, {
      domains: ['evi'],
      runtime: { warm: ['tts'] },
      config: {
        fetchAllowList: ['127.0.0.1'],
        evi: { ...loadConfig({}).evi, llmUrl: llm.baseURL, llmModel: 'scripted' },
        limits: { eviChatsPerAccount: 1 },
      },
    })
    const res = await c.a.app.inject({
      method: 'POST',
      url: '/v0/evi/configs',
      headers: c.auth(),
      payload: { name: 'cluster-chat', ...QUIET_CONFIG },
    })
    configId = (res.json() as { id: string }).id
    // A first chat on each node pays its one-time costs (speech models, live ASR, the cluster's
    // Redis connections) here, with no handshake deadline: the SDK gives a handshake 4 s, which a
    // cold node on a loaded CI machine can miss.
    // Bob may hold one chat, so each warm-up waits for the previous one's slot to be given back (the
    // server releases it after the chat's history is written, a moment after the socket closes).
    const bobsChats = c.a.rt.slots('evi-chats', 1)
    for (const node of [c.a, c.b]) {
      const ws = new WebSocket(`${node.baseUrl.replace('http', 'ws')}/v0/evi/chat?api_key=${c.bob.api_key}`)
      const closed = new Promise((r) => ws.once('close', r))
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (data) => {
          const msg = JSON.parse(String(data)) as { type: string; message?: string }
          if (msg.type === 'chat_metadata') resolve()
          if (msg.type === 'error') reject(new Error(`warm-up chat refused: ${msg.message}`))
        })
        ws.once('error', reject)
        ws.once('close', (code) => reject(new Error(`warm-up chat closed (${code}) before chat_metadata`)))
      })
      ws.close()
      await closed
      await until(async () => (await bobsChats.held(c.bob.account_id)) === 0, 30_000, 'the warm-up chat to end')
    }
  })
  afterAll(async () => {
    await c?.close()
    await llm?.close()
  })

  const client = (node: ClusterNode, who: Who = 'alice') =>
    new HumeClient({
      apiKey: (who === 'alice' ? c.alice : c.bob).api_key,
      environment: node.baseUrl,
      maxRetries: 0,
    })
  const open = async (node: ClusterNode, who: Who = 'alice', allowConnection = false) => {
    const chat = await openChat(client(node, who), {
      configId: who === 'alice' ? configId : undefined,
      allowConnection,
    })
    const first = await chat.next(() => true)
    return { chat, first }
  }
  const close = async (run: Awaited<ReturnType<typeof open>>) => {
    run.chat.close()
    await run.chat.closed
  }

  it('refuses on node B a chat over the account allowance held on node A', async () => {
    const onA = await open(c.a)
    expect(onA.first.type).toBe('chat_metadata')
    const refused = await open(c.b)
    expect(refused.first).toMatchObject({ type: 'error', code: 'E0704', slug: 'too_many_active_chats' })
    expect(await refused.chat.closed).toEqual({ code: 1000, reason: 'too_many_active_chats' })
    // Bob's allowance is his own.
    const bobs = await open(c.b, 'bob')
    expect(bobs.first.type).toBe('chat_metadata')
    await close(bobs)
    // Once A's chat has ended, B opens one.
    await close(onA)
    let onB = await open(c.b)
    await until(
      async () => {
        if (onB.first.type === 'chat_metadata') return true
        onB = await open(c.b)
        return onB.first.type === 'chat_metadata'
      },
      5000,
      'a chat on B',
    )
    await close(onB)
  })

  it('lets /send on node B drive a chat on node A, and /connect on node B follow it', async () => {
    const run = await open(c.a, 'alice', true)
    const chatId = run.first.chat_id as string
    const conn = await new Promise<{ ws: WebSocket; messages: Raw[]; closed: Promise<number> }>((resolve, reject) => {
      const ws = new WebSocket(`${c.b.baseUrl.replace('http', 'ws')}/v0/evi/chat/${chatId}/connect`, {
        headers: c.auth(),
      })
      const messages: Raw[] = []
      const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)))
      ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Raw))
      ws.on('open', () => resolve({ ws, messages, closed }))
      ws.on('unexpected-response', (_req, res) => reject(new Error(`/connect refused with ${res.statusCode}`)))
    })
    // B's connection first asks A to relay the chat; what the chat says after that reaches it.
    const onA = c.a.rt.liveChats as ClusterLiveChats
    expect(onA).toBeInstanceOf(ClusterLiveChats)
    await until(() => onA.followed(chatId), 5000, 'A relaying the chat')
    llm.script({ text: ['Hello from node A.'] })
    const send = (body: object, who: Who = 'alice') =>
      c.b.app.inject({ method: 'POST', url: `/v0/evi/chat/${chatId}/send`, headers: c.auth(who), payload: body })
    expect((await send({ type: 'user_input', text: 'Hi via node B.' })).statusCode).toBe(200)
    expect(await run.chat.next(isType('user_message'))).toMatchObject({ message: { content: 'Hi via node B.' } })
    await run.chat.next(isType('assistant_end'))
    expect(said(run.chat.messages)).toEqual(['Hello from node A.'])

    await until(() => conn.messages.some((m) => m.type === 'assistant_end'), 10_000, 'assistant_end on B')
    const seen = conn.messages.map((m) => m.type)
    expect(seen).toContain('user_message')
    expect(seen).toContain('audio_output')
    expect(said(conn.messages)).toEqual(['Hello from node A.'])
    for (const m of conn.messages) expectValidServerMessage(m)

    // B's connection talks to the chat on A.
    conn.ws.send(JSON.stringify({ type: 'assistant_input', text: 'Said through node B.' }))
    await run.chat.next((m) => m.type === 'assistant_message' && said([m])[0] === 'Said through node B.')

    expect((await send({ type: 'user_input', text: 'bob here' }, 'bob')).statusCode).toBe(404)
    await close(run)
    expect(await conn.closed).toBe(1000)
    const after = await send({ type: 'user_input', text: 'anyone?' })
    expect(after.statusCode).toBe(404)
    expect(run.chat.invalid).toEqual([])
  })
})
