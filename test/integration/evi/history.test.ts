import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChatHistory } from '../../../src/domains/evi/history/history.types.js'
import { ChatGroupNotFoundError, ChatNotFoundError } from '../../../src/domains/evi/history/history.types.js'
import { createTestApp, type TestApp } from '../../helpers/app.js'
import { dialects } from '../../helpers/dialects.js'
import { queueJobs } from '../../helpers/engines.js'

const CONFIG_A = '1b60e1a0-cc59-424a-8d2c-189d354db3f3'
const CONFIG_B = '2c71f2b1-dd6a-435b-9d3d-29ae465ec4f4'
const T0 = 1_716_244_940_000

type Json = Record<string, unknown> & { [k: string]: any } // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each(dialects())('EVI chat history routes on %s', (dialect) => {
  let t: TestApp
  let h: ChatHistory
  let alice: string
  let bob: string
  beforeAll(async () => {
    t = await createTestApp(dialect, { domains: ['evi'], config: { limits: { pageBytes: 64 * 1024 } } })
    h = t.rt.eviHistory.chats
    alice = t.alice.account_id
    bob = t.bob.account_id
  })
  afterAll(() => t.close())

  const get = async (url: string, who: 'alice' | 'bob' = 'alice') => {
    const res = await t.app.inject({ method: 'GET', url, headers: t.auth(who) })
    return { status: res.statusCode, body: res.json() as Json }
  }

  /** A chat with its opening events, ended unless `active`. */
  async function chat(o: { start: number; group?: string; config?: string; active?: boolean; events?: number }) {
    const { chatId, chatGroupId } = await h.startChat({
      accountId: alice,
      startTimestamp: o.start,
      ...(o.group ? { resumeChatGroupId: o.group } : {}),
      ...(o.config ? { config: { id: o.config, version: 2 } } : {}),
      metadata: { custom_session_id: `s-${o.start}` },
    })
    for (let i = 0; i < (o.events ?? 0); i++)
      await h.appendEvent(alice, chatId, {
        role: i % 2 ? 'AGENT' : 'USER',
        type: i % 2 ? 'AGENT_MESSAGE' : 'USER_MESSAGE',
        timestamp: o.start + 100 * (i + 1),
        messageText: `message ${i}`,
      })
    if (!o.active) await h.endChat(alice, chatId, 'USER_ENDED', o.start + 10_000)
    return { chatId, chatGroupId }
  }

  let first: { chatId: string; chatGroupId: string }
  let second: { chatId: string; chatGroupId: string }
  let third: { chatId: string; chatGroupId: string }
  let other: { chatId: string; chatGroupId: string }
  beforeAll(async () => {
    first = await chat({ start: T0, config: CONFIG_A, events: 3 })
    // Resumed in the first one's group; ended by a timeout.
    second = await chat({ start: T0 + 60_000, group: first.chatGroupId, config: CONFIG_B, events: 2 })
    third = await chat({ start: T0 + 120_000, group: first.chatGroupId, active: true, events: 1 })
    other = await chat({ start: T0 + 30_000, config: CONFIG_A })
  })

  it('lists chats oldest first by default, newest first on request, with Hume fields', async () => {
    const asc = await get('/v0/evi/chats')
    expect(asc.status).toBe(200)
    expect(asc.body).toMatchObject({ page_number: 0, page_size: 10, total_pages: 1, pagination_direction: 'ASC' })
    expect(asc.body.chats_page.map((c: Json) => c.id)).toEqual([first, other, second, third].map((c) => c.chatId))
    expect(asc.body.chats_page[0]).toEqual({
      id: first.chatId,
      chat_group_id: first.chatGroupId,
      status: 'USER_ENDED',
      start_timestamp: T0,
      end_timestamp: T0 + 10_000,
      event_count: 3,
      metadata: JSON.stringify({ custom_session_id: `s-${T0}` }),
      config: { id: CONFIG_A, version: 2 },
    })
    expect(asc.body.chats_page[3]).toMatchObject({ status: 'ACTIVE', end_timestamp: null, config: null })

    const desc = await get('/v0/evi/chats?ascending_order=false')
    expect(desc.body.pagination_direction).toBe('DESC')
    expect(desc.body.chats_page.map((c: Json) => c.id)).toEqual([third, second, other, first].map((c) => c.chatId))
  })

  it('pages chats to an empty page past the end', async () => {
    const pages = []
    for (let n = 0; n < 3; n++) {
      const p = await get(`/v0/evi/chats?page_size=3&page_number=${n}`)
      expect(p.body).toMatchObject({ page_number: n, page_size: 3, total_pages: 2 })
      pages.push(p.body.chats_page.map((c: Json) => c.id))
    }
    expect(pages).toEqual([[first.chatId, other.chatId, second.chatId], [third.chatId], []])
  })

  it('filters chats by config_id and status', async () => {
    const byConfig = await get(`/v0/evi/chats?config_id=${CONFIG_A}`)
    expect(byConfig.body.chats_page.map((c: Json) => c.id)).toEqual([first.chatId, other.chatId])
    const active = await get('/v0/evi/chats?status=ACTIVE')
    expect(active.body.chats_page.map((c: Json) => c.id)).toEqual([third.chatId])
    expect((await get('/v0/evi/chats?status=USER_ENDED&config_id=' + CONFIG_B)).body.chats_page).toHaveLength(1)
    for (const bad of ['status=FINISHED', 'config_id=nope', 'page_size=0', 'page_size=101', 'ascending_order=maybe']) {
      const r = await get(`/v0/evi/chats?${bad}`)
      expect(r.status, bad).toBe(400)
      expect(r.body).toMatchObject({ code: 'validation_error', error: 'Bad Request' })
    }
  })

  it("lists a chat's events in order with the chat's own fields", async () => {
    const { chatId } = await chat({ start: T0 + 200_000, config: CONFIG_A })
    const prompt = await h.appendEvent(alice, chatId, {
      role: 'SYSTEM',
      type: 'SYSTEM_PROMPT',
      messageText: 'You are kind.',
    })
    const said = await h.appendEvent(alice, chatId, {
      role: 'AGENT',
      type: 'AGENT_MESSAGE',
      timestamp: T0 + 200_500,
      messageText: 'Hello!',
      emotionFeatures: { Joy: 0.5, Calmness: 0.25 },
      metadata: { latency_ms: { first_audio: 412 } },
    })
    await h.appendEvent(alice, chatId, {
      role: 'AGENT',
      type: 'ASSISTANT_PROSODY',
      emotionFeatures: { Joy: 0.5 },
      relatedEventId: said.id,
    })
    await h.appendEvent(alice, chatId, { role: 'USER', type: 'PAUSE_ONSET' })
    expect(prompt).toMatchObject({
      chat_id: chatId,
      role: 'SYSTEM',
      type: 'SYSTEM_PROMPT',
      message_text: 'You are kind.',
    })

    const r = await get(`/v0/evi/chats/${chatId}`)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      id: chatId,
      status: 'USER_ENDED',
      config: { id: CONFIG_A, version: 2 },
      page_number: 0,
      page_size: 10,
      total_pages: 1,
      pagination_direction: 'ASC',
    })
    expect(r.body.events_page.map((e: Json) => e.type)).toEqual([
      'SYSTEM_PROMPT',
      'AGENT_MESSAGE',
      'ASSISTANT_PROSODY',
      'PAUSE_ONSET',
    ])
    expect(r.body.events_page[1]).toEqual({
      id: said.id,
      chat_id: chatId,
      timestamp: T0 + 200_500,
      role: 'AGENT',
      type: 'AGENT_MESSAGE',
      message_text: 'Hello!',
      emotion_features: JSON.stringify({ Joy: 0.5, Calmness: 0.25 }),
      metadata: JSON.stringify({ latency_ms: { first_audio: 412 } }),
    })
    expect(r.body.events_page[2].related_event_id).toBe(said.id)
    // Hume sends "" for what an event lacks.
    expect(r.body.events_page[3]).toMatchObject({ message_text: '', emotion_features: '', metadata: '' })
    expect(r.body.events_page[0].timestamp).toBeGreaterThan(Date.now() - 60_000)

    const desc = await get(`/v0/evi/chats/${chatId}?ascending_order=false&page_size=3&page_number=1`)
    expect(desc.body).toMatchObject({ total_pages: 2, pagination_direction: 'DESC' })
    expect(desc.body.events_page.map((e: Json) => e.type)).toEqual(['SYSTEM_PROMPT'])
  })

  it('keeps text with NUL characters and numbers events in order under concurrent appends', async () => {
    const { chatId } = await chat({ start: T0 + 300_000, active: true })
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.appendEvent(alice, chatId, { role: 'USER', type: 'USER_MESSAGE', messageText: `m${i}\u0000` }),
      ),
    )
    const r = await get(`/v0/evi/chats/${chatId}?page_size=100`)
    expect(r.body).not.toHaveProperty('event_count') // not in the SDK's ReturnChatPagedEvents
    const listed = (await get('/v0/evi/chats?status=ACTIVE&page_size=100')).body.chats_page
    expect(listed.find((c: Json) => c.id === chatId).event_count).toBe(12)
    const texts = r.body.events_page.map((e: Json) => e.message_text as string)
    expect(new Set(texts).size).toBe(12)
    expect(texts.every((s: string) => s.endsWith('\uFFFD'))).toBe(true)
    await h.endChat(alice, chatId, 'USER_ENDED')
  })

  it('lists chat groups with their chat count, most recent chat and whether one is live', async () => {
    const r = await get('/v0/evi/chat_groups')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ page_number: 0, page_size: 10, pagination_direction: 'ASC' })
    const group = r.body.chat_groups_page.find((g: Json) => g.id === first.chatGroupId)
    expect(group).toEqual({
      id: first.chatGroupId,
      first_start_timestamp: T0,
      most_recent_start_timestamp: T0 + 120_000,
      active: true,
      most_recent_chat_id: third.chatId,
      most_recent_config: null,
      num_chats: 3,
    })
    expect(r.body.chat_groups_page[0].id).toBe(first.chatGroupId)
    const lone = r.body.chat_groups_page.find((g: Json) => g.id === other.chatGroupId)
    expect(lone).toMatchObject({ active: false, num_chats: 1, most_recent_config: { id: CONFIG_A, version: 2 } })

    // config_id matches the config of each group's most recent chat.
    const byConfig = await get(`/v0/evi/chat_groups?config_id=${CONFIG_A}&ascending_order=false`)
    const ids = byConfig.body.chat_groups_page.map((g: Json) => g.id)
    expect(ids).toContain(other.chatGroupId)
    expect(ids).not.toContain(first.chatGroupId)
    expect(byConfig.body.pagination_direction).toBe('DESC')
  })

  it('gets a chat group with its chats paged and filtered by status', async () => {
    const r = await get(`/v0/evi/chat_groups/${first.chatGroupId}?page_size=2`)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      id: first.chatGroupId,
      first_start_timestamp: T0,
      most_recent_start_timestamp: T0 + 120_000,
      num_chats: 3,
      active: true,
      page_number: 0,
      page_size: 2,
      total_pages: 2,
      pagination_direction: 'ASC',
    })
    expect(r.body.chats_page.map((c: Json) => c.id)).toEqual([first.chatId, second.chatId])
    const ended = await get(`/v0/evi/chat_groups/${first.chatGroupId}?status=USER_ENDED`)
    expect(ended.body.chats_page.map((c: Json) => c.id)).toEqual([first.chatId, second.chatId])
    expect(ended.body).toMatchObject({ num_chats: 3, total_pages: 1 })
  })

  it("lists a group's events chat after chat, and gives the resume context oldest first", async () => {
    const r = await get(`/v0/evi/chat_groups/${first.chatGroupId}/events?page_size=100`)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ id: first.chatGroupId, total_pages: 1, pagination_direction: 'ASC' })
    const seen = r.body.events_page.map((e: Json) => [e.chat_id, e.message_text])
    expect(seen).toEqual([
      [first.chatId, 'message 0'],
      [first.chatId, 'message 1'],
      [first.chatId, 'message 2'],
      [second.chatId, 'message 0'],
      [second.chatId, 'message 1'],
      [third.chatId, 'message 0'],
    ])
    const page = await get(
      `/v0/evi/chat_groups/${first.chatGroupId}/events?page_size=4&page_number=1&ascending_order=false`,
    )
    expect(page.body.total_pages).toBe(2)
    expect(page.body.events_page.map((e: Json) => e.message_text)).toEqual(['message 1', 'message 0'])

    const context = await h.groupEvents(alice, first.chatGroupId, 4)
    expect(context.map((e) => [e.chat_id, e.message_text])).toEqual(seen.slice(2))
    expect(await h.groupEvents(alice, first.chatGroupId, 0)).toEqual([])
    expect(await h.groupActive(alice, first.chatGroupId)).toBe(true)
    expect(await h.groupActive(alice, other.chatGroupId)).toBe(false)
  })

  it('ending a chat twice keeps the first status and queues one reconstruction', async () => {
    const { chatId } = await chat({ start: T0 + 400_000, active: true })
    await h.endChat(alice, chatId, 'INACTIVITY_TIMEOUT', T0 + 401_000)
    await h.endChat(alice, chatId, 'USER_ENDED', T0 + 402_000)
    const r = await get(`/v0/evi/chats/${chatId}`)
    expect(r.body).toMatchObject({ status: 'INACTIVITY_TIMEOUT', end_timestamp: T0 + 401_000 })
    const jobs = await queueJobs(t, 'evi.audio_reconstruction')
    expect(jobs.filter((j) => j.payload.chatId === chatId)).toHaveLength(1)
    expect((await get(`/v0/evi/chats/${chatId}/audio`)).body).toMatchObject({
      id: chatId,
      user_id: alice,
      status: 'QUEUED',
      filename: null,
      signed_audio_url: null,
      signed_url_expiration_timestamp_millis: null,
    })
  })

  it('refuses a page of events larger than PROSODIA_MAX_PAGE_BYTES, but serves it one at a time', async () => {
    const { chatId } = await chat({ start: T0 + 500_000 })
    for (let i = 0; i < 3; i++)
      await h.appendEvent(alice, chatId, { role: 'AGENT', type: 'AGENT_MESSAGE', messageText: 'x'.repeat(30_000) })
    const big = await get(`/v0/evi/chats/${chatId}`)
    expect(big.status).toBe(400)
    expect(big.body.message).toMatch(/PROSODIA_MAX_PAGE_BYTES.*smaller page_size/)
    const one = await get(`/v0/evi/chats/${chatId}?page_size=1&page_number=2`)
    expect(one.status).toBe(200)
    expect(one.body.events_page[0].message_text).toHaveLength(30_000)
  })

  it("answers 404 for ids that are another account's or nobody's, and 400 for ids that are not UUIDs", async () => {
    const missing = randomUUID()
    const urls = (chatId: string, groupId: string) => [
      `/v0/evi/chats/${chatId}`,
      `/v0/evi/chats/${chatId}/audio`,
      `/v0/evi/chat_groups/${groupId}`,
      `/v0/evi/chat_groups/${groupId}/events`,
      `/v0/evi/chat_groups/${groupId}/audio`,
    ]
    for (const url of [...urls(first.chatId, first.chatGroupId), ...urls(missing, missing)]) {
      const r = await get(url, 'bob')
      expect(r.status, url).toBe(404)
      expect(r.body).toMatchObject({ code: 'not_found', error: 'Not Found' })
    }
    for (const url of urls('not-a-uuid', 'not-a-uuid')) expect((await get(url)).status, url).toBe(400)
    expect((await get('/v0/evi/chats', 'bob')).body).toMatchObject({ total_pages: 0, chats_page: [] })
    expect((await get('/v0/evi/chat_groups', 'bob')).body).toMatchObject({ total_pages: 0, chat_groups_page: [] })
    const noAuth = await t.app.inject({ method: 'GET', url: '/v0/evi/chats' })
    expect(noAuth.statusCode).toBe(401)
  })

  it("refuses to write to another account's chat or resume its group", async () => {
    await expect(h.appendEvent(bob, first.chatId, { role: 'USER', type: 'USER_MESSAGE' })).rejects.toBeInstanceOf(
      ChatNotFoundError,
    )
    await expect(h.endChat(bob, third.chatId, 'USER_ENDED')).rejects.toBeInstanceOf(ChatNotFoundError)
    await expect(h.startChat({ accountId: bob, resumeChatGroupId: first.chatGroupId })).rejects.toBeInstanceOf(
      ChatGroupNotFoundError,
    )
    await expect(h.groupEvents(bob, first.chatGroupId, 10)).rejects.toBeInstanceOf(ChatGroupNotFoundError)
    await expect(h.groupActive(bob, first.chatGroupId)).rejects.toBeInstanceOf(ChatGroupNotFoundError)
    // Alice's chat is untouched.
    const live = (await get(`/v0/evi/chats/${third.chatId}`)).body
    expect(live).toMatchObject({ status: 'ACTIVE', total_pages: 1 })
    expect(live.events_page).toHaveLength(1)
  })
})
