// EVI webhooks end to end: ChatWebhooks.notify queues durable jobs, the runtime's queue worker
// delivers them to a receiver on 127.0.0.1, signed as Hume signs them; retried on 5xx, not on 4xx,
// given up after a bounded number of attempts; SSRF-refused URLs are never called.
import { createHmac } from 'node:crypto'
import http, { type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serialization } from 'hume'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chatEndedEvent, chatStartedEvent, toolCallEvent } from '../../../src/domains/evi/control/webhook-events.js'
import { WEBHOOK_MAX_ATTEMPTS, webhookSigningKey } from '../../../src/domains/evi/control/webhooks.js'
import { loadSigningKey } from '../../../src/shared/auth/signing-key.js'
import { createTestApp, type TestApp } from '../../helpers/app.js'
import { dialects } from '../../helpers/dialects.js'
import { queueJobs } from '../../helpers/engines.js'
import { until } from '../../helpers/live-chat.js'

interface Hit {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** A receiver answering each path with the statuses planned for it, in turn (the last repeats). */
async function receiver(host: string, plan: Record<string, number[]>) {
  const hits: Hit[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = req.url ?? '/'
      hits.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString() })
      const statuses = plan[path] ?? [200]
      const n = hits.filter((h) => h.path === path).length
      res.writeHead(statuses[Math.min(n, statuses.length) - 1] ?? 200).end('{"ok":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: (path: string) => `http://${host}:${port}${path}`,
    hits: (path?: string) => hits.filter((h) => path === undefined || h.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const strict = { unrecognizedObjectKeys: 'fail', allowUnrecognizedEnumValues: false } as const
const ALL = ['chat_started', 'chat_ended', 'tool_call']

describe.each(dialects())('EVI webhooks on %s', (dialect) => {
  let t: TestApp
  let rx: Awaited<ReturnType<typeof receiver>>
  let forbidden: Awaited<ReturnType<typeof receiver>>
  let key: string
  beforeAll(async () => {
    t = await createTestApp(dialect, {
      domains: ['evi'],
      workers: true,
      // No batch threads to warm: only webhook jobs run here, retried after 10-30 ms, 20-60 ms...
      runtime: { warm: [], worker: { pollMs: 20, backoffMs: 20 } },
      config: { fetchAllowList: ['127.0.0.1'] },
    })
    rx = await receiver('127.0.0.1', { '/flaky': [500, 200], '/gone': [404], '/down': [503], '/moved': [307] })
    // Loopback, but not on the allow list: the SSRF guard must keep every request away from it.
    forbidden = await receiver('127.0.0.2', {})
    // What a receiver verifies with: the account's key, derived from the server's (kept in the data dir).
    const serverKey = await loadSigningKey({
      configured: t.config.evi.signingKey,
      dataDir: t.config.dataDir,
      db: t.db.kysely,
    })
    key = webhookSigningKey(serverKey, t.alice.account_id)
  })
  afterAll(async () => {
    await t.close()
    await rx.close()
    await forbidden.close()
  })

  const chat = { chatId: 'chat-1', chatGroupId: 'group-1', configId: '5b1a3e6e-0000-4000-8000-000000000001' }
  const notify = (url: string, event: Parameters<TestApp['rt']['chatWebhooks']['notify']>[2], events = ALL) =>
    t.rt.chatWebhooks.notify(t.alice.account_id, [{ url, events }], event)
  const jobStates = async () =>
    (await queueJobs(t, 'evi.webhook')).map((r) => ({
      url: r.payload.url as string,
      state: r.state,
      attempts: r.attempts,
    }))
  const jobFor = async (url: string) => (await jobStates()).find((j) => j.url === url)

  it('delivers chat_started, chat_ended and tool_call, signed, in the SDK shapes', async () => {
    const url = rx.url('/ok')
    const started = chatStartedEvent({ ...chat, startTime: Date.now() - 5000, resumed: false })
    const call = toolCallEvent({
      ...chat,
      timestamp: Date.now(),
      toolCall: {
        name: 'get_weather',
        parameters: '{"city":"Oslo"}',
        tool_call_id: 'call-1',
        tool_type: 'function',
        response_required: true,
      },
    })
    const ended = chatEndedEvent({
      ...chat,
      startTime: Date.now() - 5000,
      endTime: Date.now(),
      endReason: 'USER_ENDED',
    })
    expect(await notify(url, started)).toBe(1)
    expect(await notify(url, call)).toBe(1)
    expect(await notify(url, ended)).toBe(1)
    // Subscribed to chat_ended only: a chat_started is not sent there.
    expect(await notify(rx.url('/ended-only'), started, ['chat_ended'])).toBe(0)
    await until(() => rx.hits('/ok').length === 3, 10_000, 'three deliveries')

    const bodies = rx.hits('/ok').map((h) => JSON.parse(h.body) as { event_name: string })
    const byName = Object.fromEntries(bodies.map((b) => [b.event_name, b]))
    const sdk = serialization.empathicVoice
    expect(sdk.WebhookEventChatStarted.parse(byName.chat_started, strict).ok).toBe(true)
    expect(sdk.WebhookEventChatEnded.parse(byName.chat_ended, strict).ok).toBe(true)
    expect(sdk.WebhookEventToolCall.parse(byName.tool_call, strict).ok).toBe(true)
    expect(byName.tool_call).toEqual(JSON.parse(JSON.stringify(call)))

    for (const hit of rx.hits('/ok')) {
      expect(hit.headers['content-type']).toBe('application/json')
      const timestamp = String(hit.headers['x-hume-ai-webhook-timestamp'])
      expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(180)
      const expected = createHmac('sha256', key).update(`${hit.body}.${timestamp}`).digest('hex')
      expect(hit.headers['x-hume-ai-webhook-signature']).toBe(expected)
    }
    expect(rx.hits('/ended-only')).toHaveLength(0)
  })

  it('retries a 5xx until it is delivered', async () => {
    const url = rx.url('/flaky')
    await notify(url, chatStartedEvent({ ...chat, chatId: 'chat-flaky', startTime: 1, resumed: false }))
    await until(async () => (await jobFor(url))?.state === 'done', 10_000, 'the retried delivery')
    const hits = rx.hits('/flaky')
    expect(hits).toHaveLength(2)
    expect(hits[1]?.body).toBe(hits[0]?.body)
  })

  it('does not retry a 4xx or a redirect', async () => {
    for (const path of ['/gone', '/moved']) {
      const url = rx.url(path)
      await notify(url, chatStartedEvent({ ...chat, chatId: `chat${path}`, startTime: 1, resumed: false }))
      await until(async () => (await jobFor(url))?.state === 'done', 10_000, `the ${path} delivery`)
    }
    await new Promise((r) => setTimeout(r, 200))
    expect(rx.hits('/gone')).toHaveLength(1)
    expect(rx.hits('/moved')).toHaveLength(1)
  })

  it(`gives up after ${WEBHOOK_MAX_ATTEMPTS} attempts`, async () => {
    const url = rx.url('/down')
    await notify(url, chatStartedEvent({ ...chat, chatId: 'chat-down', startTime: 1, resumed: false }))
    await until(async () => (await jobFor(url))?.state === 'dead', 15_000, 'the job to be given up')
    expect(rx.hits('/down')).toHaveLength(WEBHOOK_MAX_ATTEMPTS)
    expect((await jobFor(url))?.attempts).toBe(WEBHOOK_MAX_ATTEMPTS)
  })

  it('never calls a URL the SSRF guard refuses', async () => {
    const event = chatStartedEvent({ ...chat, chatId: 'chat-ssrf', startTime: 1, resumed: false })
    // Refused when notified: nothing is queued.
    expect(await notify(forbidden.url('/hook'), event)).toBe(0)
    expect(await notify('http://169.254.169.254/latest/meta-data', event)).toBe(0)
    // Refused at delivery too (say, a job queued before the allow list changed): done, not retried.
    const url = forbidden.url('/queued')
    await t.rt.queue.enqueue('evi.webhook', {
      v: 1,
      accountId: t.alice.account_id,
      url,
      event: 'chat_started',
      body: JSON.stringify(event),
    })
    t.rt.queue.notify()
    await until(async () => (await jobFor(url))?.state === 'done', 10_000, 'the refused delivery')
    expect((await jobFor(url))?.attempts).toBe(1)
    expect(forbidden.hits()).toHaveLength(0)
  })
})
