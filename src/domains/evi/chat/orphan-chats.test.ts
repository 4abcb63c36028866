import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import type { ActiveChat, ChatStatus } from '../history/history.types.js'
import { OrphanSweep } from './orphan-chats.js'

const chat = (id: string): ActiveChat => ({ chatId: id, accountId: 'acct', chatGroupId: `g-${id}` })

describe('OrphanSweep', () => {
  let sweep: OrphanSweep | undefined
  afterEach(() => sweep?.stop())

  const setUp = (o: { active: ActiveChat[]; registered: Set<string>; failEnd?: string }) => {
    const ended: [string, ChatStatus][] = []
    sweep = new OrphanSweep({
      history: {
        activeChats: async () => o.active.filter((c) => !ended.some(([id]) => id === c.chatId)),
        endChat: async (_account, chatId, status) => {
          if (chatId === o.failEnd) throw new Error('chat deleted')
          ended.push([chatId, status])
        },
      },
      live: { unregistered: async (chats) => chats.filter((c) => !o.registered.has(c.chatId)) },
      log: pino({ level: 'silent' }),
      everyMs: 3_600_000,
    })
    return { sweep, ended }
  }

  it('ends a chat only once it has been unregistered at two sweeps in a row', async () => {
    const registered = new Set(['running'])
    const { sweep, ended } = setUp({ active: [chat('running'), chat('orphan'), chat('late')], registered })
    registered.add('late')
    expect(await sweep.sweep()).toBe(0)
    // 'late' was registered at the first sweep (a chat just starting): not a suspect yet.
    registered.delete('late')
    expect(await sweep.sweep()).toBe(1)
    expect(ended).toEqual([['orphan', 'ERROR']])
    expect(await sweep.sweep()).toBe(1)
    expect(ended).toEqual([
      ['orphan', 'ERROR'],
      ['late', 'ERROR'],
    ])
  })

  it('forgets a suspect that is registered again, and goes on past a chat it cannot end', async () => {
    const registered = new Set<string>()
    const { sweep, ended } = setUp({
      active: [chat('blip'), chat('gone'), chat('orphan')],
      registered,
      failEnd: 'gone',
    })
    await sweep.sweep()
    registered.add('blip')
    expect(await sweep.sweep()).toBe(1)
    expect(ended).toEqual([['orphan', 'ERROR']])
  })
})
