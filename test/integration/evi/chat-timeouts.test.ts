// The config's timeouts on the real chat socket, scaled by the runtime's timeoutScale (0.01: the
// shortest config timeout, 30 s, becomes 300 ms): inactivity and maximum duration close the socket
// normally and leave the chat with the matching status, the on_inactivity_timeout text spoken
// first when enabled; disabled timeouts keep the chat open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isType } from '../../helpers/evi-chat.js'
import { said, sleep, startChatHarness, type ChatHarness } from './chat-harness.js'

const OFF = { enabled: false }
const SHORT = { enabled: true, duration_secs: 30 }

describe('EVI chat: timeouts', () => {
  let h: ChatHarness
  beforeAll(async () => {
    h = await startChatHarness({ runtime: { evi: { timeoutScale: 0.01 } } })
  })
  afterAll(() => h?.close())

  async function openWith(config: Record<string, unknown>) {
    const { id } = await h.createConfig(config)
    const chat = await h.open({ configId: id })
    const meta = await chat.next(isType('chat_metadata'))
    return { chat, chatId: meta.chat_id as string, opened: Date.now() }
  }

  it('ends an idle chat with INACTIVITY_TIMEOUT', async () => {
    const { chat, chatId, opened } = await openWith({ timeouts: { inactivity: SHORT, max_duration: OFF } })
    const closed = await chat.closed
    expect(closed.code).toBe(1000)
    expect(Date.now() - opened).toBeGreaterThanOrEqual(250)
    await h.waitForStatus(chatId, 'INACTIVITY_TIMEOUT')
    // No event message configured: nothing was said.
    expect(chat.all('assistant_message')).toEqual([])
    expect(chat.invalid).toEqual([])
  })

  it('speaks on_inactivity_timeout before closing', async () => {
    const { chat, chatId } = await openWith({
      timeouts: { inactivity: SHORT, max_duration: OFF },
      event_messages: { on_inactivity_timeout: { enabled: true, text: 'Are you still there? Goodbye.' } },
    })
    const closed = await chat.closed
    expect(closed.code).toBe(1000)
    // An event message is spoken as given, as one assistant message.
    expect(said(chat.messages)).toEqual(['Are you still there?', 'Goodbye.'])
    const types = chat.messages.map((m) => m.type)
    expect(types).toContain('audio_output')
    expect(types.at(-1)).toBe('assistant_end')
    await h.waitForStatus(chatId, 'INACTIVITY_TIMEOUT')
    expect(chat.invalid).toEqual([])
  })

  it('user activity restarts the inactivity timeout', async () => {
    const { chat, chatId } = await openWith({ timeouts: { inactivity: SHORT, max_duration: OFF } })
    // Paused, so no answer keeps the chat busy: only the user's own turns, 100 ms apart (well under
    // the 300 ms timeout), keep it open past 800 ms.
    chat.socket.pauseAssistant({})
    for (let i = 0; i < 8; i++) {
      chat.socket.sendUserInput(`Still here ${i}.`)
      await sleep(100)
    }
    expect((await h.chat(chatId)).status).toBe('ACTIVE')
    expect(chat.all('assistant_message')).toEqual([])
    expect(await chat.closed).toMatchObject({ code: 1000 })
    await h.waitForStatus(chatId, 'INACTIVITY_TIMEOUT')
    expect(chat.invalid).toEqual([])
  })

  it('ends a chat that runs too long with MAX_DURATION_TIMEOUT, activity or not', async () => {
    const { chat, chatId, opened } = await openWith({
      timeouts: { inactivity: OFF, max_duration: SHORT },
      event_messages: { on_max_duration_timeout: { enabled: true, text: 'Time is up.' } },
    })
    const keepBusy = setInterval(() => {
      try {
        chat.socket.sendUserInput('Keep going.')
      } catch {
        // The server is closing the socket: the SDK refuses to send on it.
        clearInterval(keepBusy)
      }
    }, 100)
    const closed = await chat.closed.finally(() => clearInterval(keepBusy))
    expect(closed.code).toBe(1000)
    expect(Date.now() - opened).toBeGreaterThanOrEqual(250)
    await h.waitForStatus(chatId, 'MAX_DURATION_TIMEOUT')
    expect(said(chat.messages)).toContain('Time is up.')
    expect(chat.invalid).toEqual([])
  })

  it('keeps the chat open when both timeouts are disabled', async () => {
    const { chat, chatId } = await openWith({ timeouts: { inactivity: OFF, max_duration: OFF } })
    let closed = false
    void chat.closed.then(() => (closed = true))
    // Four times the scaled timeout.
    await sleep(1200)
    expect(closed).toBe(false)
    expect((await h.chat(chatId)).status).toBe('ACTIVE')
    chat.socket.sendUserInput('Hello?')
    await chat.next(isType('assistant_end'))
    chat.close()
    await chat.closed
    await h.waitForStatus(chatId, 'USER_ENDED')
    expect(chat.invalid).toEqual([])
  })
})
