// Barge-in on the real chat socket: the user speaking over a long answer for longer than the
// config's min_interruption_ms stops generation (the model's request is aborted) and speech, sends
// user_interruption, and the history and the next model request keep only what was already sent;
// shorter speech does not interrupt. Real speech (RAVDESS) through the real VAD and recogniser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isType, ravdessPcm, speak, type ChatRun } from '../../helpers/evi-chat.js'
import type { FakeReply } from '../../helpers/fake-llm.js'
import { eventTypes, said, startChatHarness, type ChatHarness } from './chat-harness.js'

const WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten']
/**
 * 40 short sentences over about 8 s, far longer than the user takes to barge in, and a stream that
 * never finishes by itself: only the server hanging up ends the request.
 */
const LONG_REPLY: FakeReply = {
  text: Array.from(
    { length: 40 },
    (_, i) => `${i ? ' ' : ''}Story part ${WORDS[i % 10]} of ${Math.floor(i / 10) + 1}.`,
  ),
  chunkDelayMs: 200,
  hang: true,
}
const AUDIO = { encoding: 'linear16' as const, sampleRate: 48_000, channels: 1 }

describe('EVI chat: barge-in', () => {
  let h: ChatHarness
  beforeAll(async () => {
    h = await startChatHarness()
  })
  afterAll(() => h?.close())

  /** Starts the long answer and waits until it is being spoken. */
  async function longAnswer(minInterruptionMs: number): Promise<{ chat: ChatRun; chatId: string }> {
    const { id } = await h.createConfig({ interruption: { min_interruption_ms: minInterruptionMs } })
    const chat = await h.open({ configId: id, sessionSettings: { audio: AUDIO } })
    const meta = await chat.next(isType('chat_metadata'))
    h.llm.script(LONG_REPLY, { text: ['Alright, I will stop.'] })
    chat.socket.sendUserInput('Tell me a long story.')
    await chat.next(isType('audio_output'))
    return { chat, chatId: meta.chat_id as string }
  }

  it('stops the answer when the user speaks over it, keeping only what was sent', async () => {
    const before = h.llm.requests.length
    const { chat, chatId } = await longAnswer(300)
    await speak(chat, ravdessPcm(), { speed: 4 })
    const interruption = await chat.next(isType('user_interruption'))
    const at = chat.messages.indexOf(interruption)
    const user = await chat.next((m) => m.type === 'user_message' && m.from_text === false, { from: at })
    const userAt = chat.messages.indexOf(user)
    const end = await chat.next(isType('assistant_end'), { from: userAt })

    // The first response's sentences all came before the interruption; nothing of it after.
    const spoken = said(chat.messages.slice(0, at))
    const firstIds = new Set(chat.messages.slice(0, at).flatMap((m) => (m.type === 'assistant_message' ? [m.id] : [])))
    expect(spoken.length).toBeGreaterThan(0)
    expect(spoken.length).toBeLessThan(40)
    const between = chat.messages.slice(at + 1, userAt).map((m) => m.type)
    expect(between).not.toContain('assistant_message')
    expect(between).not.toContain('audio_output')
    expect(chat.messages.slice(at).filter((m) => m.type === 'audio_output' && firstIds.has(m.id))).toEqual([])
    expect(chat.messages.slice(0, at).map((m) => m.type)).not.toContain('assistant_end')

    // The model's streaming request was cut off, not read to its end.
    const first = h.llm.requests[before]!
    expect(await first.ended).toBe('aborted')

    // The next request carries the user's words and only the sentences that were sent.
    const next = h.llm.requests[before + 1]!
    const assistant = (next.body.messages as { role: string; content: string }[]).filter((m) => m.role === 'assistant')
    expect(assistant.map((m) => m.content)).toEqual([spoken.join(' ')])
    expect(JSON.stringify(next.body.messages)).not.toContain('Story part ten of 4.')
    expect(said(chat.messages.slice(userAt))).toEqual(['Alright, I will stop.'])
    expect(chat.messages.indexOf(end)).toBeGreaterThan(userAt)

    // History: the interruption, and the agent messages that were sent (then the second answer).
    const events = await h.waitForEvents(chatId, (e) =>
      e.some((x) => x.type === 'AGENT_MESSAGE' && x.message_text === 'Alright, I will stop.'),
    )
    expect(eventTypes(events)).toContain('USER_INTERRUPTION')
    const agent = events.filter((e) => e.type === 'AGENT_MESSAGE').map((e) => e.message_text)
    expect(agent).toEqual([...spoken, 'Alright, I will stop.'])
    const interruptedAt = eventTypes(events).indexOf('USER_INTERRUPTION')
    expect(eventTypes(events).slice(interruptedAt)).toContain('USER_MESSAGE')

    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  }, 60_000)

  it('hears speech shorter than min_interruption_ms without stopping the answer', async () => {
    // The clip holds about 2 s of speech; 5 s is never reached.
    const before = h.llm.requests.length
    const { chat, chatId } = await longAnswer(5000)
    const from = chat.messages.length
    await speak(chat, ravdessPcm(), { speed: 4 })
    const user = await chat.next((m) => m.type === 'user_message' && m.from_text === false, { from })
    const userAt = chat.messages.indexOf(user)
    const heard = (user.message as { content: string }).content
    // The answer went on being spoken while the user talked, and after: a backchannel asks for no new reply.
    expect(chat.messages.slice(from, userAt).filter((m) => m.type === 'audio_output').length).toBeGreaterThan(0)
    await chat.next(isType('assistant_message'), { from: userAt })
    expect(chat.all('user_interruption')).toEqual([])
    expect(h.llm.requests).toHaveLength(before + 1)
    expect(eventTypes((await h.chat(chatId)).events_page)).not.toContain('USER_INTERRUPTION')

    // The words were kept: the next request has them between the sentences around them.
    const nextAt = chat.messages.length
    chat.socket.sendUserInput('Please go on.')
    await chat.next(isType('assistant_end'), { from: nextAt })
    expect(await h.llm.requests[before]!.ended).toBe('aborted')
    const sent = (h.llm.requests[before + 1]!.body.messages as { role: string; content: string }[]).slice(1)
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user'])
    expect(sent[2]!.content).toContain(heard)
    expect(sent[4]!.content).toBe('Please go on.')
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  }, 60_000)
})
