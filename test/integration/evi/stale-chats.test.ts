/** Chats a dead process left ACTIVE are ended (ERROR) so their group can be resumed again. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../helpers/app.js'
import { dialects } from '../../helpers/dialects.js'

describe.each(dialects())('stale EVI chats on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect, { domains: ['evi'] })
  })
  afterAll(() => t.close())

  it('ends only the chats that started before the cutoff, with status ERROR', async () => {
    const h = t.rt.eviHistory.chats
    const hour = 3_600_000
    const old = await h.startChat({ accountId: t.alice.account_id, startTimestamp: Date.now() - 3 * hour })
    const fresh = await h.startChat({ accountId: t.alice.account_id })
    expect(await h.groupActive(t.alice.account_id, old.chatGroupId)).toBe(true)

    expect(await h.endStaleChats(Date.now() - hour)).toBe(1)

    expect(await h.groupActive(t.alice.account_id, old.chatGroupId)).toBe(false)
    expect(await h.groupActive(t.alice.account_id, fresh.chatGroupId)).toBe(true)
    const res = await t.app.inject({ url: '/v0/evi/chats?page_size=10', headers: t.auth() })
    const chats = res.json().chats_page as { id: string; status: string }[]
    expect(chats.find((c) => c.id === old.chatId)?.status).toBe('ERROR')
    expect(chats.find((c) => c.id === fresh.chatId)?.status).toBe('ACTIVE')
    expect(await h.endStaleChats(Date.now() - hour)).toBe(0)
  })
})
