// No language model the server can reach: PROSODIA_LLM_URL unset, or pointing at a port nobody
// listens on. The user's turn is answered with an `error` carrying the language model's code and
// slug; the socket stays open and everything that needs no model (assistant_input) still works.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { isType } from '../../helpers/evi-chat.js'
import { said, startChatHarness, type ChatHarness } from './chat-harness.js'

/** A URL on 127.0.0.1 whose port was just released: connecting is refused. */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/v1`
}

describe.each([
  { name: 'PROSODIA_LLM_URL unset', url: async () => 'none', code: 'E0710', slug: 'language_model_not_configured' },
  { name: 'a closed port', url: closedPortUrl, code: 'E0714', slug: 'language_model_unavailable' },
])('EVI chat with no reachable model: $name', ({ url, code, slug }) => {
  let h: ChatHarness | undefined
  afterAll(() => h?.close())

  it('answers the turn with a coded error and stays usable', async () => {
    h = await startChatHarness({ llmUrl: await url() })
    const { id } = await h.createConfig()
    const chat = await h.open({ configId: id })
    const chatId = (await chat.next(isType('chat_metadata'))).chat_id as string

    chat.socket.sendUserInput('Hello?')
    const error = await chat.next(isType('error'), { timeoutMs: 15_000 })
    expect(error).toMatchObject({ code, slug })
    expect(String(error.message).length).toBeGreaterThan(10)
    expect(h.llm.requests).toHaveLength(0)

    // Still open: assistant_input needs no model.
    chat.socket.sendAssistantInput({ text: 'Sorry, I cannot think right now.' })
    await chat.next(isType('assistant_end'))
    expect(said(chat.messages)).toEqual(['Sorry, I cannot think right now.'])
    expect(chat.all('audio_output').length).toBeGreaterThan(0)

    // And every later turn gets the same honest answer, not a crash.
    const from = chat.messages.length
    chat.socket.sendUserInput('Anyone there?')
    expect(await chat.next(isType('error'), { from, timeoutMs: 15_000 })).toMatchObject({ code, slug })
    expect((await h.chat(chatId)).status).toBe('ACTIVE')
    expect(chat.invalid).toEqual([])
    chat.close()
    expect((await chat.closed).code).toBe(1000)
    await h.waitForStatus(chatId, 'USER_ENDED')
  })
})
