/**
 * Set-up shared by the chat socket's behaviour tests (chat-*.test.ts): the app on a port with a
 * scripted model as PROSODIA_LLM_URL, the SDK as alice or bob, configs posted in the wire's
 * snake_case (timeouts, event messages, interruption, built-in tools, webhooks), and the chat's
 * history read back through the history routes.
 */
import { HumeClient } from 'hume'
import { loadConfig, type Config, type EviConfig, type Limits } from '../../../src/config.js'
import type { Dialect } from '../../../src/shared/storage/db.js'
import { createTestApp, listen, type TestApp, type TestAppOptions } from '../../helpers/app.js'
import { openChat, type ChatRun, type Raw } from '../../helpers/evi-chat.js'
import { startFakeLlm, type FakeLlm } from '../../helpers/fake-llm.js'
import { until } from '../../helpers/live-chat.js'

export type Who = 'alice' | 'bob'
type ConnectArgs = Parameters<HumeClient['empathicVoice']['chat']['connect']>[0]

export interface ChatEvent {
  id: string
  chat_id: string
  timestamp: number
  role: string
  type: string
  message_text: string
  emotion_features: string
  metadata: string
}

export interface HarnessOptions {
  dialect?: Dialect
  /** The server's default model: the scripted one (default), none (PROSODIA_LLM_URL unset), or this URL. */
  llmUrl?: 'fake' | 'none' | string
  evi?: Partial<EviConfig>
  limits?: Partial<Limits>
  config?: Partial<Omit<Config, 'limits' | 'evi'>>
  runtime?: TestAppOptions['runtime']
  workers?: boolean
  logStream?: NodeJS.WritableStream
}

export interface ChatHarness {
  t: TestApp
  llm: FakeLlm
  baseUrl: string
  client(who?: Who): HumeClient
  /** POST /v0/evi/configs with this body (name added); its id and version. */
  createConfig(body?: Record<string, unknown>, who?: Who): Promise<{ id: string; version: number }>
  /** POST /v0/evi/tools; its id. */
  createTool(body: Record<string, unknown>, who?: Who): Promise<string>
  open(args?: ConnectArgs, who?: Who): Promise<ChatRun>
  /** GET /v0/evi/chats/{id} (first page of 100 events, oldest first). */
  chat(chatId: string, who?: Who): Promise<{ status: string; events_page: ChatEvent[] }>
  /** Polls the chat until its status is `status`. */
  waitForStatus(chatId: string, status: string, timeoutMs?: number): Promise<void>
  /** Polls the chat's events until `check` holds for them; returns them. */
  waitForEvents(chatId: string, check: (events: ChatEvent[]) => boolean, timeoutMs?: number): Promise<ChatEvent[]>
  close(): Promise<void>
}

/** A config with timeouts, event messages and interruption left to each test. */
export const QUIET_CONFIG = { evi_version: '3', prompt: { text: 'You are a terse test assistant.' } }

let configCount = 0

export async function startChatHarness(o: HarnessOptions = {}): Promise<ChatHarness> {
  const llm = await startFakeLlm()
  const llmUrl =
    o.llmUrl === undefined || o.llmUrl === 'fake' ? llm.baseURL : o.llmUrl === 'none' ? undefined : o.llmUrl
  const t = await createTestApp(o.dialect ?? 'sqlite', {
    domains: ['evi'],
    workers: o.workers,
    // The speech thread starts (and loads its voice) before the tests, so no test's timing pays for it.
    runtime: { warm: o.workers ? ['tts', 'batch'] : ['tts'], ...o.runtime },
    logStream: o.logStream,
    config: {
      fetchAllowList: ['127.0.0.1'],
      ...o.config,
      evi: { ...loadConfig({}).evi, llmUrl, llmModel: 'scripted', ...o.evi },
      limits: o.limits,
    },
  })
  const baseUrl = await listen(t.app)
  const clients = {
    alice: new HumeClient({ apiKey: t.alice.api_key, environment: baseUrl, maxRetries: 0 }),
    bob: new HumeClient({ apiKey: t.bob.api_key, environment: baseUrl, maxRetries: 0 }),
  }
  const post = async (url: string, body: Record<string, unknown>, who: Who) => {
    const res = await t.app.inject({ method: 'POST', url, headers: t.auth(who), payload: body })
    if (res.statusCode !== 201) throw new Error(`POST ${url} answered ${res.statusCode}: ${res.body}`)
    return res.json() as { id: string; version: number }
  }
  const h: ChatHarness = {
    t,
    llm,
    baseUrl,
    client: (who = 'alice') => clients[who],
    createConfig: async (body = {}, who = 'alice') => {
      const c = await post('/v0/evi/configs', { name: `chat-test-${++configCount}`, ...QUIET_CONFIG, ...body }, who)
      return { id: c.id, version: c.version }
    },
    createTool: async (body, who = 'alice') => (await post('/v0/evi/tools', body, who)).id,
    open: (args = {}, who = 'alice') => openChat(clients[who], args),
    chat: async (chatId, who = 'alice') => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v0/evi/chats/${chatId}?page_size=100&ascending_order=true`,
        headers: t.auth(who),
      })
      if (res.statusCode !== 200) throw new Error(`GET chat ${chatId} answered ${res.statusCode}: ${res.body}`)
      return res.json() as { status: string; events_page: ChatEvent[] }
    },
    waitForStatus: async (chatId, status, timeoutMs = 10_000) => {
      let last = ''
      await until(
        async () => (last = (await h.chat(chatId)).status) === status,
        timeoutMs,
        `chat status ${status} (last: ${last})`,
      )
    },
    waitForEvents: async (chatId, check, timeoutMs = 10_000) => {
      let events: ChatEvent[] = []
      await until(
        async () => check((events = (await h.chat(chatId)).events_page)),
        timeoutMs,
        'the chat events expected',
      )
      return events
    },
    close: async () => {
      await t.close()
      await llm.close()
    },
  }
  return h
}

/** The `type` sequence of a chat's events. */
export const eventTypes = (events: ChatEvent[]) => events.map((e) => e.type)

/** The assistant_message texts among these server messages, in order. */
export function said(messages: readonly Raw[]): string[] {
  return messages.filter((m) => m.type === 'assistant_message').map((m) => (m.message as { content: string }).content)
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
