import { readFileSync } from 'node:fs'
import { Hume, HumeClient, HumeError, serialization } from 'hume'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChatHistory } from '../../src/domains/evi/history/history.types.js'
import { tone } from '../helpers/chat-audio.js'
import { dialects } from '../helpers/dialects.js'
import { defined, drain, startSdkHarness, type SdkHarness } from '../helpers/sdk.js'
import { parseMp3 } from '../helpers/tts-audio.js'
import {
  expectSameKeys,
  expectWire,
  routeTemplate,
  type Exchange,
  type KeyRules,
  type WireSchema,
} from '../helpers/wire.js'

const ev = serialization.empathicVoice
const CONFIG = '1b60e1a0-cc59-424a-8d2c-189d354db3f3'
const T0 = 1_716_244_940_000

/** Hume's example responses of the 7 history routes (test/fixtures/README.md). */
const EXAMPLES = (
  JSON.parse(readFileSync(new URL('../fixtures/wiremock-evi-history.json', import.meta.url), 'utf8')) as {
    responses: Record<string, { status: number; body: unknown }>
  }
).responses

const SCHEMAS: Record<string, WireSchema> = {
  'GET /v0/evi/chats': ev.ReturnPagedChats,
  'GET /v0/evi/chats/{id}': ev.ReturnChatPagedEvents,
  'GET /v0/evi/chats/{id}/audio': ev.ReturnChatAudioReconstruction,
  'GET /v0/evi/chat_groups': ev.ReturnPagedChatGroups,
  'GET /v0/evi/chat_groups/{id}': ev.ReturnChatGroupPagedChats,
  'GET /v0/evi/chat_groups/{id}/events': ev.ReturnChatGroupPagedEvents,
  'GET /v0/evi/chat_groups/{id}/audio': ev.ReturnChatGroupPagedAudioReconstructions,
}

/**
 * In the SDK but not in the examples: a group's most recent config, an event's related event. A
 * chat's `config` is null in one example and an object in another: compared by key only.
 */
const RULES: KeyRules = { extras: ['most_recent_config', 'related_event_id'], opaque: ['config'] }

/** Every response the SDK received: strictly with its own serializers, and by keys against Hume's example. */
function expectHistoryWire(exchanges: Exchange[]): void {
  for (const x of exchanges) {
    const key = `${x.method} ${routeTemplate(x.path)}`
    const label = `${key}${x.query} -> ${x.status}`
    expect(x.status, label).toBeLessThan(500)
    expect(x.contentType, label).toMatch(/^application\/json/)
    const body: unknown = JSON.parse(x.text)
    if (x.status >= 400) {
      expectWire(ev.ErrorResponse, body, label)
      continue
    }
    const schema = SCHEMAS[key]
    const example = EXAMPLES[key]
    if (!schema || !example) throw new Error(`no wire expectation for ${label}`)
    expect(x.status, label).toBe(example.status)
    expectWire(schema, body, label)
    expectSameKeys(body, example.body, RULES, label)
  }
}

describe.each(dialects())('hume SDK: empathicVoice.chats and chatGroups on %s', (dialect) => {
  let h: SdkHarness
  let history: ChatHistory
  let alice: string
  let group: string
  let chats: string[]
  let agentEvent: string
  beforeAll(async () => {
    h = await startSdkHarness(dialect)
    h.t.rt.startWorkers()
    history = h.t.rt.eviHistory.chats
    alice = h.t.alice.account_id
    // Three chats in one group (the last one still live), one in a group of its own.
    chats = []
    for (let i = 0; i < 3; i++) {
      const start = T0 + i * 60_000
      const c = await history.startChat({
        accountId: alice,
        startTimestamp: start,
        ...(group ? { resumeChatGroupId: group } : {}),
        config: { id: CONFIG, version: i },
      })
      group ??= c.chatGroupId
      chats.push(c.chatId)
      await history.appendEvent(alice, c.chatId, {
        role: 'SYSTEM',
        type: 'SYSTEM_PROMPT',
        timestamp: start + 1,
        messageText: 'You are a weather assistant.',
      })
      await history.appendEvent(alice, c.chatId, {
        role: 'USER',
        type: 'USER_MESSAGE',
        timestamp: start + 2,
        messageText: `Hello ${i}.`,
        emotionFeatures: { Interest: 0.21, Joy: 0.3 },
        metadata: { segments: [{ content: `Hello ${i}.`, time: { begin_ms: 640, end_ms: 1140 } }] },
      })
      const said = await history.appendEvent(alice, c.chatId, {
        role: 'AGENT',
        type: 'AGENT_MESSAGE',
        timestamp: start + 3,
        messageText: 'Hello!',
      })
      agentEvent ??= said.id
      await history.appendEvent(alice, c.chatId, {
        role: 'AGENT',
        type: 'ASSISTANT_PROSODY',
        timestamp: start + 4,
        emotionFeatures: { Joy: 0.4 },
        relatedEventId: said.id,
      })
      if (i === 0) {
        const rec = history.recorder(alice, c.chatId)
        rec.user(tone(0.5, 16_000), 200)
        rec.assistant(tone(0.5, 24_000, 880), 24_000, 900)
        await rec.close()
      }
      if (i < 2) await history.endChat(alice, c.chatId, 'USER_ENDED', start + 1500)
    }
    await history.startChat({ accountId: alice, startTimestamp: T0 + 30_000 })
  })
  afterAll(() => h.t.close())
  afterEach(() => {
    expectHistoryWire(h.take())
  })

  it('chats.listChats pages through every chat, oldest first or newest first', async () => {
    const all = await drain(await h.evi.chats.listChats({ pageSize: 2 }))
    expect(all).toHaveLength(4)
    expect(all.map((c) => c.startTimestamp)).toEqual([T0, T0 + 30_000, T0 + 60_000, T0 + 120_000])
    expect(all[0]).toEqual({
      id: chats[0],
      chatGroupId: group,
      status: 'USER_ENDED',
      startTimestamp: T0,
      endTimestamp: T0 + 1500,
      eventCount: 4,
      config: { id: CONFIG, version: 0 },
    })
    const newest = await h.evi.chats.listChats({ pageSize: 10, ascendingOrder: false, configId: CONFIG })
    expect(newest.data.map((c) => c.id)).toEqual([...chats].reverse())
    const live = await h.evi.chats.listChats({ status: 'ACTIVE', configId: CONFIG })
    expect(live.data.map((c) => c.id)).toEqual([chats[2]])
  })

  it('chats.listChatEvents pages through one chat in order', async () => {
    const events = await drain(await h.evi.chats.listChatEvents(defined(chats[0]), { pageSize: 3 }))
    expect(events.map((e) => e.type)).toEqual(['SYSTEM_PROMPT', 'USER_MESSAGE', 'AGENT_MESSAGE', 'ASSISTANT_PROSODY'])
    expect(events[1]).toMatchObject({
      chatId: chats[0],
      role: 'USER',
      timestamp: T0 + 2,
      messageText: 'Hello 0.',
      emotionFeatures: JSON.stringify({ Interest: 0.21, Joy: 0.3 }),
    })
    expect(JSON.parse(defined(events[1]?.metadata)).segments[0].time).toEqual({ begin_ms: 640, end_ms: 1140 })
    expect(events[3]?.relatedEventId).toBe(agentEvent)
    const page = await h.evi.chats.listChatEvents(defined(chats[0]), { pageSize: 3, ascendingOrder: false })
    expect(page.response).toMatchObject({ totalPages: 2, paginationDirection: 'DESC', status: 'USER_ENDED' })
    expect(page.data.map((e) => e.type)).toEqual(['ASSISTANT_PROSODY', 'AGENT_MESSAGE', 'USER_MESSAGE'])
  })

  it('chats.getAudio reports the reconstruction, whose signed URL downloads the MP3 without a key', async () => {
    let audio = await h.evi.chats.getAudio(defined(chats[0]))
    for (let i = 0; i < 500 && audio.status !== 'COMPLETE' && audio.status !== 'ERROR'; i++) {
      await new Promise((r) => setTimeout(r, 50))
      audio = await h.evi.chats.getAudio(defined(chats[0]))
    }
    expect(audio).toMatchObject({
      id: chats[0],
      userId: alice,
      status: 'COMPLETE',
      filename: `${alice}/${chats[0]}/reconstructed_audio.mp3`,
    })
    expect(audio.signedAudioUrl?.startsWith(`${h.baseUrl}/v0/evi/chats/${chats[0]}/audio/`)).toBe(true)
    expect(defined(audio.signedUrlExpirationTimestampMillis)).toBeGreaterThan(Date.now() + 3_500_000)
    const res = await fetch(defined(audio.signedAudioUrl))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('audio/mpeg')
    const mp3 = parseMp3(Buffer.from(await res.arrayBuffer()))
    expect(mp3.durationS).toBeGreaterThanOrEqual(1.5)
    expect(mp3.durationS).toBeLessThan(1.65)
    // A live chat's audio is queued for when it ends.
    expect((await h.evi.chats.getAudio(defined(chats[2]))).status).toBe('QUEUED')
  })

  it('chatGroups.listChatGroups pages through the groups and filters by the latest config', async () => {
    const all = await drain(await h.evi.chatGroups.listChatGroups({ pageSize: 1 }))
    expect(all.map((g) => g.id)[0]).toBe(group)
    expect(all).toHaveLength(2)
    expect(all[0]).toEqual({
      id: group,
      firstStartTimestamp: T0,
      mostRecentStartTimestamp: T0 + 120_000,
      active: true,
      mostRecentChatId: chats[2],
      mostRecentConfig: { id: CONFIG, version: 2 },
      numChats: 3,
    })
    const byConfig = await h.evi.chatGroups.listChatGroups({ configId: CONFIG, ascendingOrder: false })
    expect(byConfig.data.map((g) => g.id)).toEqual([group])
  })

  it('chatGroups.getChatGroup answers the group with a page of its chats', async () => {
    const g = await h.evi.chatGroups.getChatGroup(group, { pageSize: 2, pageNumber: 1 })
    expect(g).toMatchObject({
      id: group,
      numChats: 3,
      active: true,
      pageNumber: 1,
      pageSize: 2,
      totalPages: 2,
      paginationDirection: 'ASC',
    })
    expect(g.chatsPage.map((c) => c.id)).toEqual([chats[2]])
    const ended = await h.evi.chatGroups.getChatGroup(group, { status: 'USER_ENDED', ascendingOrder: false })
    expect(ended.chatsPage.map((c) => c.id)).toEqual([chats[1], chats[0]])
  })

  it('chatGroups.listChatGroupEvents pages through every chat of the group in turn', async () => {
    const events = await drain(await h.evi.chatGroups.listChatGroupEvents(group, { pageSize: 5 }))
    expect(events).toHaveLength(12)
    expect(events.filter((e) => e.type === 'USER_MESSAGE').map((e) => e.messageText)).toEqual([
      'Hello 0.',
      'Hello 1.',
      'Hello 2.',
    ])
    expect(events.map((e) => e.chatId)).toEqual(chats.flatMap((c) => [c, c, c, c]))
  })

  it('chatGroups.getAudio pages the reconstructions of the chats of a group', async () => {
    const page = await h.evi.chatGroups.getAudio(group, { pageSize: 2 })
    expect(page).toMatchObject({ id: group, userId: alice, numChats: 3, totalPages: 2, paginationDirection: 'ASC' })
    expect(page.audioReconstructionsPage.map((a) => a.id)).toEqual(chats.slice(0, 2))
    expect(page.audioReconstructionsPage[0]).toMatchObject({ status: 'COMPLETE', userId: alice })
    expect(defined(page.audioReconstructionsPage[0]?.signedAudioUrl)).toMatch(/signature=/)
  })

  it("answers 404 for another account's chats and groups, and BadRequestError for bad parameters", async () => {
    const bob = new HumeClient({ apiKey: h.t.bob.api_key, environment: h.baseUrl, maxRetries: 0 })
    const calls: [string, () => Promise<unknown>][] = [
      ['listChatEvents', async () => bob.empathicVoice.chats.listChatEvents(defined(chats[0]))],
      ['chats.getAudio', async () => bob.empathicVoice.chats.getAudio(defined(chats[0]))],
      ['getChatGroup', async () => bob.empathicVoice.chatGroups.getChatGroup(group)],
      ['listChatGroupEvents', async () => bob.empathicVoice.chatGroups.listChatGroupEvents(group)],
      ['chatGroups.getAudio', async () => bob.empathicVoice.chatGroups.getAudio(group)],
    ]
    for (const [name, call] of calls) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err, name).toBeInstanceOf(HumeError)
      expect((err as HumeError).statusCode, name).toBe(404)
    }
    expect((await bob.empathicVoice.chats.listChats()).data).toEqual([])
    const bad = await h.evi.chats.listChats({ status: 'FINISHED' }).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(Hume.empathicVoice.BadRequestError)
    expect((bad as HumeError).body).toMatchObject({ code: 'validation_error' })
  })
})
