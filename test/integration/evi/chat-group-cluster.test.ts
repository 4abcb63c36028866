// Chat groups across two API nodes sharing Redis: a group whose chat has just ended on node A is
// resumed on node B (B waits for A to finish writing the chat's end instead of refusing the group as
// "still active"), and a chat whose node died (ACTIVE in the database, run by no node) is ended by
// the orphan sweep, so its group can be resumed without waiting for a restart.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { ClusterNode, TestCluster } from '../../helpers/cluster-apps.js'
import { startTestCluster } from '../../helpers/cluster-apps.js'
import { dialects } from '../../helpers/dialects.js'
import { until } from '../../helpers/live-chat.js'

type Msg = { type: string; chat_id?: string; chat_group_id?: string; code?: string; message?: string }

const SWEEP_MS = 300
const CLOSING_WAIT_MS = 1500

describe.each(dialects())('EVI chat groups across two nodes (%s)', (dialect) => {
  let c: TestCluster
  let probe: Redis
  beforeAll(async () => {
    c = await startTestCluster(dialect, {
      domains: ['evi'],
      runtime: { warm: ['tts'], cluster: { orphanSweepMs: SWEEP_MS, closingWaitMs: CLOSING_WAIT_MS } },
    })
    probe = new Redis(c.redis.url)
  })
  afterAll(async () => {
    probe?.disconnect()
    await c?.close()
  })

  /** A chat socket on `node` (no SDK handshake deadline: a cold node may take a while), once it has said its first message. */
  const chat = async (node: ClusterNode, resume?: string) => {
    const q = new URLSearchParams({ api_key: c.alice.api_key })
    if (resume) q.set('resumed_chat_group_id', resume)
    const ws = new WebSocket(`${node.baseUrl.replace('http', 'ws')}/v0/evi/chat?${q}`)
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)))
    const first = await new Promise<Msg>((resolve, reject) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data)) as Msg))
      ws.once('error', reject)
    })
    return {
      first,
      close: async () => {
        ws.close()
        await closed
      },
    }
  }
  const statusOf = async (chatId: string) =>
    (await c.a.db.kysely.selectFrom('evi_chats').select('status').where('id', '=', chatId).executeTakeFirstOrThrow())
      .status

  it('resumes on node B a group whose chat has just ended on node A', async () => {
    for (let i = 0; i < 3; i++) {
      const onA = await chat(c.a)
      expect(onA.first.type).toBe('chat_metadata')
      await onA.close()
      const onB = await chat(c.b, onA.first.chat_group_id)
      expect(onB.first).toMatchObject({ type: 'chat_metadata', chat_group_id: onA.first.chat_group_id })
      await onB.close()
    }
  })

  it("waits on node B while the group's chat on node A is still closing, up to the bound", async () => {
    let done!: () => void
    c.a.rt.liveChats.closingGroup('g-closing', new Promise<void>((r) => (done = r)))
    const key = `${c.config.redisPrefix}:evi:closing:g-closing`
    await until(async () => (await probe.exists(key)) === 1, 5000, 'the closing mark')
    let settled = false
    const waited = c.b.rt.liveChats.groupClosed('g-closing').then(() => (settled = true))
    await new Promise((r) => setTimeout(r, CLOSING_WAIT_MS / 3))
    expect(settled).toBe(false)
    done()
    await waited
    await until(async () => (await probe.exists(key)) === 0, 5000, 'the closing mark removed')
    // A node that died while closing never removes its mark: the wait ends at the bound (and the
    // mark expires with the node's other entries).
    await probe.set(key, 'a-node-that-died', 'PX', 60_000)
    await c.b.rt.liveChats.groupClosed('g-closing')
    await probe.del(key)
  })

  it('ends a chat no node runs, not a running one, and then lets its group be resumed', async () => {
    const running = await chat(c.a)
    expect(running.first.type).toBe('chat_metadata')
    // What a node that died mid-chat leaves: an ACTIVE chat that nobody keeps registered.
    const orphan = await c.a.rt.eviHistory.chats.startChat({ accountId: c.alice.account_id })
    // While it looks active, its group is refused, as Hume refuses a group with a live chat.
    const early = await chat(c.b, orphan.chatGroupId)
    if (early.first.type === 'error') expect(early.first.code).toBe('E0703')
    else await early.close()
    await until(async () => (await statusOf(orphan.chatId)) === 'ERROR', 15_000, 'the orphan ended')
    // Several more sweeps leave the running chat alone.
    await new Promise((r) => setTimeout(r, SWEEP_MS * 4))
    expect(await statusOf(running.first.chat_id!)).toBe('ACTIVE')
    const resumed = await chat(c.b, orphan.chatGroupId)
    expect(resumed.first).toMatchObject({ type: 'chat_metadata', chat_group_id: orphan.chatGroupId })
    await resumed.close()
    await running.close()
    await until(async () => (await statusOf(running.first.chat_id!)) === 'USER_ENDED', 5000, 'the chat ended')
  })
})
