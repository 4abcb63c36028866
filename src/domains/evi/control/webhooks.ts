/**
 * EVI webhooks: each event a config subscribes a URL to becomes one durable queue job
 * ('evi.webhook'), so a delivery survives a restart and a slow receiver never holds up the chat.
 * Deliveries are signed as Hume signs them: `X-Hume-AI-Webhook-Timestamp` (Unix seconds, taken at
 * each attempt, since receivers refuse stale ones) and `X-Hume-AI-Webhook-Signature`, the hex
 * HMAC-SHA256 of `${body}.${timestamp}`. Hume keys it with the account's webhook signing key; here
 * that key is derived per account from the server's signing key (see webhookSigningKey).
 */
import { createHash, createHmac } from 'node:crypto'
import type { Logger } from 'pino'
import { precheckUrl, safeFetchStream, SafeFetchError, type FetchFailure } from '../../../shared/net/safe-fetch.js'
import type { JobRegistry, Queue } from '../../../shared/queue/queue.js'
import { eventIdentity, type WebhookEvent, type WebhookEventName } from './webhook-events.js'

export type EviWebhookJobs = {
  'evi.webhook': { v: 1; accountId: string; url: string; event: WebhookEventName; body: string }
}

/** Deliveries of one event to one URL before it is given up (first try included). */
export const WEBHOOK_MAX_ATTEMPTS = 5
/** A larger event (a tool call's parameters are the model's output) is not queued. */
export const WEBHOOK_MAX_BODY_BYTES = 256 * 1024
/** The receiver's answer is not used; reading more of it than this is pointless. */
const MAX_RESPONSE_BYTES = 64 * 1024
/** Refusals that no retry can change: the URL or its address is not allowed. */
const PERMANENT: readonly FetchFailure[] = ['forbidden_address', 'scheme', 'invalid_url']

export const SIGNATURE_HEADER = 'x-hume-ai-webhook-signature'
export const TIMESTAMP_HEADER = 'x-hume-ai-webhook-timestamp'

/**
 * The key an account's webhooks are signed with: HMAC-SHA256(server key, label + account id), hex.
 * Per account, so a receiver able to verify one account's events cannot forge another's; derived,
 * so the server's key itself (which also signs audio URLs) is never handed out.
 */
export function webhookSigningKey(serverKey: string, accountId: string): string {
  return createHmac('sha256', serverKey).update(`prosodia/evi-webhook/v1/${accountId}`).digest('hex')
}

/** The `X-Hume-AI-Webhook-Signature` value for a body sent at `timestamp` (Unix seconds). */
export function signWebhook(key: string, body: string, timestamp: number): string {
  return createHmac('sha256', key).update(`${body}.${timestamp}`).digest('hex')
}

export interface WebhookSubscription {
  url: string
  events: readonly string[]
}

export interface ChatWebhooks {
  /**
   * Queues `event` for every URL subscribed to it. Never rejects: a webhook that cannot be queued is
   * logged, and the chat goes on. Resolves to the number of deliveries queued.
   */
  notify(accountId: string, webhooks: readonly WebhookSubscription[], event: WebhookEvent): Promise<number>
}

export function createChatWebhooks(d: {
  queue: Queue<EviWebhookJobs>
  allowList: readonly string[]
  log: Logger
}): ChatWebhooks {
  return {
    async notify(accountId, webhooks, event) {
      const log = d.log.child({ chatId: event.chat_id, event: event.event_name })
      const body = JSON.stringify(event)
      if (Buffer.byteLength(body) > WEBHOOK_MAX_BODY_BYTES) {
        log.warn({ bytes: Buffer.byteLength(body), limit: WEBHOOK_MAX_BODY_BYTES }, 'webhook event too large; not sent')
        return 0
      }
      const urls = new Set(webhooks.filter((w) => w.events.includes(event.event_name)).map((w) => w.url))
      let queued = 0
      for (const url of urls) {
        // A URL no delivery could reach (another scheme, a literal private address) is not queued.
        const refused = precheckUrl(url, d.allowList)
        if (refused) {
          log.warn({ url, reason: refused }, 'webhook URL refused; not sent')
          continue
        }
        const key = `evi.webhook:${createHash('sha256')
          .update(`${eventIdentity(event)}\u0000${url}`)
          .digest('hex')}`
        try {
          const payload = { v: 1 as const, accountId, url, event: event.event_name, body }
          await d.queue.enqueue('evi.webhook', payload, { key, maxAttempts: WEBHOOK_MAX_ATTEMPTS })
          queued++
        } catch (err) {
          log.error({ err, url }, 'queueing a webhook failed')
        }
      }
      if (queued > 0) d.queue.notify()
      return queued
    },
  }
}

export interface WebhookJobDeps {
  /** The server's signing key (src/shared/auth/signing-key.ts). */
  signingKey: string
  fetch: { allowList: readonly string[]; timeoutMs: number }
  log: Logger
  now?: () => number
}

/** Answers worth another try: the receiver is down, overloaded or slow. Other 4xx will not change. */
const retryable = (status: number) => status >= 500 || status === 408 || status === 429

async function deliver(d: WebhookJobDeps, p: EviWebhookJobs['evi.webhook'], signal: AbortSignal): Promise<void> {
  const log = d.log.child({ url: p.url, event: p.event, accountId: p.accountId })
  const timestamp = Math.floor((d.now ?? Date.now)() / 1000)
  const signature = signWebhook(webhookSigningKey(d.signingKey, p.accountId), p.body, timestamp)
  let status: number
  try {
    const res = await safeFetchStream(p.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(p.body)),
        [SIGNATURE_HEADER]: signature,
        [TIMESTAMP_HEADER]: String(timestamp),
      },
      body: p.body,
      allowList: d.fetch.allowList,
      timeoutMs: d.fetch.timeoutMs,
      maxBytes: MAX_RESPONSE_BYTES,
      signal,
    })
    status = res.status
    // Only the status matters; the connection is not reused (safe-fetch pins one per request).
    res.body.on('error', () => {})
    res.body.destroy()
  } catch (err) {
    if (err instanceof SafeFetchError && PERMANENT.includes(err.reason)) {
      log.warn({ reason: err.reason, message: err.message }, 'webhook refused; not retried')
      return
    }
    throw err
  }
  if (status >= 200 && status < 300) {
    log.debug({ status }, 'webhook delivered')
    return
  }
  if (retryable(status)) throw new Error(`webhook answered HTTP ${status}`)
  // Redirects are not followed with a POST body, and a 4xx will answer the same next time.
  log.warn({ status }, 'webhook rejected by its receiver; not retried')
}

export function eviWebhookJobs(d: WebhookJobDeps): JobRegistry<EviWebhookJobs> {
  return {
    'evi.webhook': {
      handle: async (p, ctx) => {
        if (p.v !== 1) throw new Error(`unknown payload version ${p.v}`)
        await deliver(d, p, ctx.signal)
      },
      onDead: async (p, error) => {
        d.log.warn({ url: p.url, event: p.event, accountId: p.accountId, error }, 'webhook given up')
      },
    },
  }
}
