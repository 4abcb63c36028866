import { createHmac } from 'node:crypto'
import { serialization } from 'hume'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { EnqueueOptions, Queue } from '../../../shared/queue/queue.js'
import { chatEndedEvent, chatStartedEvent, toolCallEvent } from './webhook-events.js'
import {
  createChatWebhooks,
  signWebhook,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_MAX_BODY_BYTES,
  webhookSigningKey,
  type EviWebhookJobs,
} from './webhooks.js'

const strict = { unrecognizedObjectKeys: 'fail', allowUnrecognizedEnumValues: false } as const
const chat = { chatId: 'c-1', chatGroupId: 'g-1', configId: 'cfg-1' }
const log = pino({ level: 'silent' })

type Job = { name: string; payload: EviWebhookJobs['evi.webhook']; opts?: EnqueueOptions }

function fakeQueue(fail = false) {
  const jobs: Job[] = []
  const keys = new Set<string>()
  let notified = 0
  const queue = {
    async enqueue(name: string, payload: EviWebhookJobs['evi.webhook'], opts?: EnqueueOptions) {
      if (fail) throw new Error('database is down')
      if (opts?.key && keys.has(opts.key)) return 'dup'
      if (opts?.key) keys.add(opts.key)
      jobs.push({ name, payload, ...(opts ? { opts } : {}) })
      return String(jobs.length)
    },
    notify: () => void notified++,
  } as unknown as Queue<EviWebhookJobs>
  return { queue, jobs, notified: () => notified }
}

describe('webhook events', () => {
  it('parse strictly with the SDK serializers', () => {
    const started = chatStartedEvent({ ...chat, startTime: 1_700_000_000_123, resumed: true })
    expect(serialization.empathicVoice.WebhookEventChatStarted.parse(started, strict).ok).toBe(true)
    expect(started).toMatchObject({ event_name: 'chat_started', chat_start_type: 'resumed_chat_group' })
    const ended = chatEndedEvent({ ...chat, startTime: 1000, endTime: 62_600, endReason: 'USER_ENDED' })
    expect(serialization.empathicVoice.WebhookEventChatEnded.parse(ended, strict).ok).toBe(true)
    expect(ended).toMatchObject({ duration_seconds: 62, end_time: 62_600, end_reason: 'USER_ENDED' })
    const call = toolCallEvent({
      ...chat,
      customSessionId: 'sess',
      timestamp: 5,
      toolCall: {
        name: 'weather',
        parameters: '{"city":"Oslo"}',
        tool_call_id: 't1',
        tool_type: 'function',
        response_required: true,
      },
    })
    expect(serialization.empathicVoice.WebhookEventToolCall.parse(call, strict).ok).toBe(true)
    expect(call.tool_call_message).toMatchObject({ type: 'tool_call', custom_session_id: 'sess', tool_call_id: 't1' })
  })

  it('leave out a config the chat did not have', () => {
    const e = chatStartedEvent({ chatId: 'c', chatGroupId: 'g', startTime: 1, resumed: false })
    expect('config_id' in e).toBe(false)
    expect(serialization.empathicVoice.WebhookEventChatStarted.parse(e, strict).ok).toBe(true)
  })
})

describe('webhook signatures', () => {
  it("are Hume's: hex HMAC-SHA256 of `${body}.${timestamp}`", () => {
    const body = '{"event_name":"chat_started"}'
    const expected = createHmac('sha256', 'k').update(`${body}.1700000000`).digest('hex')
    expect(signWebhook('k', body, 1_700_000_000)).toBe(expected)
    expect(signWebhook('k', body, 1_700_000_001)).not.toBe(expected)
  })

  it('use a key per account, derived from the server key', () => {
    const a = webhookSigningKey('server-key-0123456789abcdef0123456789', 'alice')
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(webhookSigningKey('server-key-0123456789abcdef0123456789', 'alice')).toBe(a)
    expect(webhookSigningKey('server-key-0123456789abcdef0123456789', 'bob')).not.toBe(a)
    expect(webhookSigningKey('another-server-key-0123456789abcdef', 'alice')).not.toBe(a)
  })
})

describe('notify', () => {
  const started = chatStartedEvent({ ...chat, startTime: 1, resumed: false })

  it('queues one job per URL subscribed to the event, once', async () => {
    const q = fakeQueue()
    const hooks = createChatWebhooks({ queue: q.queue, allowList: [], log })
    const n = await hooks.notify(
      'acct',
      [
        { url: 'https://a.example/hook', events: ['chat_started', 'chat_ended'] },
        { url: 'https://a.example/hook', events: ['chat_started'] },
        { url: 'https://b.example/hook', events: ['chat_ended'] },
        { url: 'https://c.example/hook', events: ['chat_started'] },
      ],
      started,
    )
    expect(n).toBe(2)
    expect(q.jobs.map((j) => j.payload.url)).toEqual(['https://a.example/hook', 'https://c.example/hook'])
    const job = q.jobs[0]!
    expect(job.name).toBe('evi.webhook')
    expect(job.payload).toMatchObject({ v: 1, accountId: 'acct', event: 'chat_started' })
    expect(JSON.parse(job.payload.body)).toEqual(started)
    expect(job.opts?.maxAttempts).toBe(WEBHOOK_MAX_ATTEMPTS)
    expect(job.opts?.key?.length).toBeLessThanOrEqual(200) // the queue's key column
    expect(q.notified()).toBe(1)
    // The same event again (a retried notify) is not delivered twice.
    await hooks.notify('acct', [{ url: 'https://a.example/hook', events: ['chat_started'] }], started)
    expect(q.jobs).toHaveLength(2)
  })

  it('tells tool calls apart by their id', async () => {
    const q = fakeQueue()
    const hooks = createChatWebhooks({ queue: q.queue, allowList: [], log })
    const call = (id: string) =>
      toolCallEvent({
        ...chat,
        timestamp: 1,
        toolCall: { name: 'f', parameters: '{}', tool_call_id: id, tool_type: 'function', response_required: true },
      })
    const hook = [{ url: 'https://a.example/hook', events: ['tool_call'] }]
    await hooks.notify('acct', hook, call('1'))
    await hooks.notify('acct', hook, call('2'))
    await hooks.notify('acct', hook, call('1'))
    expect(q.jobs).toHaveLength(2)
  })

  it('does not queue URLs no delivery could reach', async () => {
    const q = fakeQueue()
    const hooks = createChatWebhooks({ queue: q.queue, allowList: ['127.0.0.1'], log })
    const urls = ['http://10.1.2.3/hook', 'http://169.254.169.254/latest', 'ftp://a.example/x', 'http://[::1]:9/x']
    const n = await hooks.notify(
      'acct',
      urls.map((url) => ({ url, events: ['chat_started'] })),
      started,
    )
    expect(n).toBe(0)
    // The allow list lets a private address through (tests, or a receiver on the LAN).
    expect(await hooks.notify('acct', [{ url: 'http://127.0.0.1:9/x', events: ['chat_started'] }], started)).toBe(1)
  })

  it('drops an event over the size limit, and never rejects', async () => {
    const q = fakeQueue()
    const hooks = createChatWebhooks({ queue: q.queue, allowList: [], log })
    const huge = toolCallEvent({
      ...chat,
      timestamp: 1,
      toolCall: {
        name: 'f',
        parameters: 'x'.repeat(WEBHOOK_MAX_BODY_BYTES),
        tool_call_id: 't',
        tool_type: 'function',
        response_required: true,
      },
    })
    expect(await hooks.notify('acct', [{ url: 'https://a.example/', events: ['tool_call'] }], huge)).toBe(0)
    const broken = createChatWebhooks({ queue: fakeQueue(true).queue, allowList: [], log })
    await expect(
      broken.notify('acct', [{ url: 'https://a.example/', events: ['chat_started'] }], started),
    ).resolves.toBe(0)
  })
})
