// Webhooks from a real chat: a config's webhook URLs (a receiver on 127.0.0.1, allowed by the SSRF
// guard's allow list) get chat_started, tool_call and chat_ended, delivered by the durable queue's
// worker, signed, in hume@0.16.0's shapes and about this chat; a URL subscribed to chat_ended only
// gets that one.
import { createHmac } from 'node:crypto'
import http, { type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serialization } from 'hume'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { webhookSigningKey } from '../../../src/domains/evi/control/webhooks.js'
import { loadSigningKey } from '../../../src/shared/auth/signing-key.js'
import { isType } from '../../helpers/evi-chat.js'
import { until } from '../../helpers/live-chat.js'
import { startChatHarness, type ChatHarness } from './chat-harness.js'

interface Hit {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

async function receiver() {
  const hits: Hit[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      hits.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString() })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    hits: (path: string) => hits.filter((h) => h.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const strict = { unrecognizedObjectKeys: 'fail', allowUnrecognizedEnumValues: false } as const

describe('EVI webhooks from a real chat', () => {
  let h: ChatHarness
  let rx: Awaited<ReturnType<typeof receiver>>
  beforeAll(async () => {
    rx = await receiver()
    h = await startChatHarness({ workers: true, runtime: { warm: [], worker: { pollMs: 20, backoffMs: 20 } } })
  })
  afterAll(async () => {
    await h?.close()
    await rx?.close()
  })

  it('delivers chat_started, tool_call and chat_ended for the chat', async () => {
    const tool = await h.createTool({
      name: 'get_time',
      description: 'The time in a city',
      parameters: JSON.stringify({ type: 'object', properties: { city: { type: 'string' } } }),
    })
    const { id: configId } = await h.createConfig({
      tools: [{ id: tool, version: 0 }],
      webhooks: [
        { url: rx.url('/all'), events: ['chat_started', 'chat_ended', 'tool_call'] },
        { url: rx.url('/ended'), events: ['chat_ended'] },
      ],
    })
    const chat = await h.open({ configId, sessionSettings: { customSessionId: 'session-h5' } })
    const meta = await chat.next(isType('chat_metadata'))
    h.llm.script(
      { toolCall: { id: 'call_time', name: 'get_time', arguments: '{"city":"Lima"}' } },
      { text: ['It is noon in Lima.'] },
    )
    chat.socket.sendUserInput('What time is it in Lima?')
    const call = await chat.next(isType('tool_call'))
    chat.socket.sendToolResponseMessage({ toolCallId: call.tool_call_id as string, content: '12:00' })
    await chat.next(isType('assistant_end'))
    chat.close()
    await chat.closed

    await until(() => rx.hits('/all').length === 3 && rx.hits('/ended').length === 1, 20_000, 'four deliveries')
    const byName = Object.fromEntries(
      rx.hits('/all').map((hit) => {
        const body = JSON.parse(hit.body) as Record<string, unknown>
        return [body.event_name as string, body]
      }),
    )
    const about = { chat_id: meta.chat_id, chat_group_id: meta.chat_group_id, config_id: configId }
    const sdk = serialization.empathicVoice
    expect(sdk.WebhookEventChatStarted.parse(byName.chat_started, strict).ok).toBe(true)
    expect(sdk.WebhookEventToolCall.parse(byName.tool_call, strict).ok).toBe(true)
    expect(sdk.WebhookEventChatEnded.parse(byName.chat_ended, strict).ok).toBe(true)
    expect(byName.chat_started).toMatchObject({ ...about, chat_start_type: 'new_chat_group' })
    expect(byName.tool_call).toMatchObject({
      ...about,
      tool_call_message: { name: 'get_time', tool_call_id: 'call_time', parameters: '{"city":"Lima"}' },
    })
    expect(byName.chat_ended).toMatchObject({ ...about, end_reason: 'USER_ENDED', custom_session_id: 'session-h5' })
    expect(JSON.parse(rx.hits('/ended')[0]!.body)).toMatchObject({ event_name: 'chat_ended', ...about })

    // Signed with alice's webhook key, as a receiver checks them.
    const serverKey = await loadSigningKey({
      configured: h.t.config.evi.signingKey,
      dataDir: h.t.config.dataDir,
      db: h.t.db.kysely,
    })
    const key = webhookSigningKey(serverKey, h.t.alice.account_id)
    for (const hit of [...rx.hits('/all'), ...rx.hits('/ended')]) {
      const timestamp = String(hit.headers['x-hume-ai-webhook-timestamp'])
      const expected = createHmac('sha256', key).update(`${hit.body}.${timestamp}`).digest('hex')
      expect(hit.headers['x-hume-ai-webhook-signature']).toBe(expected)
    }
    expect(chat.invalid).toEqual([])
  })
})
