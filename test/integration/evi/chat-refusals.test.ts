// Chats the server refuses: each answers one `error` message (code and slug) and closes normally
// (1000, so the SDK does not reconnect into the same error), and leaves no chat in the history.
// Unknown or another account's config, a config version that does not exist, resuming another
// account's or an unknown chat group, or one whose chat is still running, more chats than
// PROSODIA_EVI_MAX_CHATS_PER_ACCOUNT, and ill-formed query parameters.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isType } from '../../helpers/evi-chat.js'
import { until } from '../../helpers/live-chat.js'
import { startChatHarness, type ChatHarness, type Who } from './chat-harness.js'

type ConnectArgs = Parameters<ChatHarness['open']>[0]

describe('EVI chat: refusals', () => {
  let h: ChatHarness
  let configId: string
  beforeAll(async () => {
    h = await startChatHarness({ limits: { eviChatsPerAccount: 2 } })
    configId = (await h.createConfig()).id
  })
  afterAll(() => h?.close())

  const chatCount = async (who: Who = 'alice') => {
    const res = await h.t.app.inject({ method: 'GET', url: '/v0/evi/chats?page_size=100', headers: h.t.auth(who) })
    return (res.json() as { chats_page: unknown[] }).chats_page.length
  }

  /** Opens a chat that must be refused with `slug`: one error, then a normal close, no new chat. */
  async function expectRefused(args: ConnectArgs, slug: string, code: string) {
    const before = await chatCount()
    const chat = await h.open(args)
    const closed = await chat.closed
    expect(chat.messages.map((m) => m.type)).toEqual(['error'])
    expect(chat.messages[0]).toMatchObject({ code, slug })
    expect(String(chat.messages[0]!.message).length).toBeGreaterThan(10)
    expect(closed).toEqual({ code: 1000, reason: slug })
    expect(chat.invalid).toEqual([])
    expect(await chatCount()).toBe(before)
  }

  /** A chat that opens (chat_metadata first). */
  async function opened(args: ConnectArgs = {}, who: Who = 'alice') {
    const chat = await h.open(args, who)
    const meta = await chat.next(isType('chat_metadata'))
    const account = (who === 'alice' ? h.t.alice : h.t.bob).account_id
    return { chat, account, chatId: meta.chat_id as string, groupId: meta.chat_group_id as string }
  }

  /** Closes the chats and waits until the server has let them go. */
  async function closeAll(...chats: Awaited<ReturnType<typeof opened>>[]) {
    for (const c of chats) {
      c.chat.close()
      await c.chat.closed
      await until(() => !h.t.rt.liveChats.get(c.account, c.chatId), 5000, `chat ${c.chatId} to end`)
    }
  }

  it('refuses an unknown config and another account config', async () => {
    await expectRefused({ configId: randomUUID() }, 'config_not_found', 'E0701')
    const bobs = await h.createConfig({}, 'bob')
    await expectRefused({ configId: bobs.id }, 'config_not_found', 'E0701')
  })

  it('refuses a config version that does not exist, and opens one that does', async () => {
    await expectRefused({ configId, configVersion: 7 }, 'config_not_found', 'E0701')
    const ok = await opened({ configId, configVersion: 0 })
    await closeAll(ok)
  })

  it('refuses to resume an unknown chat group or another account group', async () => {
    await expectRefused({ configId, resumedChatGroupId: randomUUID() }, 'chat_group_not_found', 'E0702')
    const bobs = await opened({}, 'bob')
    await closeAll(bobs)
    await expectRefused({ configId, resumedChatGroupId: bobs.groupId }, 'chat_group_not_found', 'E0702')
  })

  it('refuses to resume a chat group whose chat is still running', async () => {
    const running = await opened({ configId })
    await expectRefused({ configId, resumedChatGroupId: running.groupId }, 'chat_group_already_active', 'E0703')
    await closeAll(running)
    // Once it has ended the group can be resumed.
    const resumed = await opened({ configId, resumedChatGroupId: running.groupId })
    expect(resumed.groupId).toBe(running.groupId)
    await closeAll(resumed)
  })

  it('refuses more chats than PROSODIA_EVI_MAX_CHATS_PER_ACCOUNT, per account', async () => {
    const a = await opened({ configId })
    const b = await opened({ configId })
    await expectRefused({ configId }, 'too_many_active_chats', 'E0704')
    // Another account has its own allowance.
    const bobs = await opened({}, 'bob')
    await closeAll(bobs)
    // Ending one makes room again.
    await closeAll(a)
    const c = await opened({ configId })
    await closeAll(b, c)
  })

  it('refuses ill-formed query parameters', async () => {
    const bad = 'invalid_query_parameters'
    await expectRefused({ configId: 'not-a-uuid' }, bad, 'E0700')
    await expectRefused({ configId, queryParams: { verbose_transcription: 'maybe' } }, bad, 'E0700')
    await expectRefused({ configId, queryParams: { event_limit: 'lots' } }, bad, 'E0700')
    await expectRefused({ configVersion: 1 }, bad, 'E0700')
    await expectRefused({ configId, queryParams: { 'session_settings[audio][sample_rate]': '12' } }, bad, 'E0700')
    // Unknown parameters are ignored.
    const ok = await opened({ configId, queryParams: { colour: 'blue' } })
    await closeAll(ok)
  })
})
