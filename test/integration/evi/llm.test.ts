import { describe, expect, it } from 'vitest'
import type { LlmEvent } from '../../../src/domains/evi/llm/llm.types.js'
import { startFakeLlm } from '../../helpers/fake-llm.js'
import {
  fakeLlmSuite,
  llmFailure as failure,
  llmRequest as request,
  llmText as text,
  collectLlm as collect,
  weatherTool as weather,
} from '../../helpers/llm-stream.js'

// The language model stage against a scripted model on 127.0.0.1 (no database, so no dialect loop):
// the server's default model, streaming, tool calls, deadlines, aborts and errors.

describe('language models', () => {
  const t = fakeLlmSuite()
  const local: typeof t.model = (spec, over) => t.model(spec, over)

  describe('the server default (HUME_AI or no language model)', () => {
    it('streams text deltas from PROSODIA_LLM_URL with PROSODIA_LLM_MODEL and its key', async () => {
      t.fake.script({ text: ['Hello', ', ', 'world.'] })
      const model = local({ language_model: { model_provider: 'HUME_AI', model_resource: 'ellm', temperature: 0.3 } })
      expect(model.label).toBe('openai-compatible:fake-model')
      const events = await collect(model.stream(request()))
      expect(events.filter((e) => e.type === 'text')).toHaveLength(3)
      expect(text(events)).toBe('Hello, world.')
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
      const [req] = t.fake.requests
      expect(req!.path).toBe('/v1/chat/completions')
      expect(req!.headers.authorization).toBe('Bearer operator-key')
      expect(req!.body).toMatchObject({
        model: 'fake-model',
        stream: true,
        temperature: 0.3,
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Hi!' },
        ],
      })
    })

    it('reaches an operator URL on 127.0.0.1 without opening that host to API users', async () => {
      // fetchAllowList is empty: the operator's own PROSODIA_LLM_URL is trusted, a config's CLM URL is not.
      expect(text(await collect(local().stream(request())))).toBe('Hello there.')
      const clm = local({ language_model: { model_provider: 'CUSTOM_LANGUAGE_MODEL', model_resource: t.fake.clmURL } })
      expect((await failure(clm.stream(request()))).slug).toBe('language_model_url_forbidden')
      expect(t.fake.requests).toHaveLength(1)
    })

    it('sends a tool call back without running it, then continues with the tool result', async () => {
      t.fake.script(
        { text: ['Let me check.'], toolCall: { id: 'call_42', name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { text: ['It is sunny in Paris.'] },
      )
      const model = local()
      const first = await collect(
        model.stream(request({ tools: [weather], messages: [{ role: 'user', content: 'Weather in Paris?' }] })),
      )
      expect(text(first)).toBe('Let me check.')
      expect(first.find((e) => e.type === 'tool_call')).toEqual({
        type: 'tool_call',
        call: { id: 'call_42', name: 'get_weather', arguments: '{"city":"Paris"}' },
      })
      expect(first.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls' })
      expect(t.fake.requests[0]!.body.tools).toEqual([
        {
          type: 'function',
          function: { name: 'get_weather', description: 'The weather in a city', parameters: weather.parameters },
        },
      ])

      const second = await collect(
        model.stream(
          request({
            tools: [weather],
            messages: [
              { role: 'user', content: 'Weather in Paris?' },
              {
                role: 'assistant',
                content: 'Let me check.',
                toolCalls: [{ id: 'call_42', name: 'get_weather', arguments: '{"city":"Paris"}' }],
              },
              { role: 'tool', toolCallId: 'call_42', toolName: 'get_weather', content: 'sunny, 24 C' },
            ],
          }),
        ),
      )
      expect(text(second)).toBe('It is sunny in Paris.')
      expect(t.fake.requests[1]!.body.messages.slice(1)).toEqual([
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            { id: 'call_42', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_42', content: 'sunny, 24 C' },
      ])
    })

    it('drops a call to a tool the chat never declared', async () => {
      t.fake.script({ toolCall: { name: 'rm_rf', arguments: '{}' } })
      const events = await collect(local().stream(request({ tools: [weather] })))
      expect(events.some((e) => e.type === 'tool_call')).toBe(false)
    })

    it('gives up on a slow first token after llmTimeoutMs and hangs up on the model', async () => {
      t.fake.script({ text: ['too late'], delayMs: 3000 })
      const started = Date.now()
      const err = await failure(local({}, { timeouts: { firstTokenMs: 300 } }).stream(request()))
      expect(err).toMatchObject({ code: 'E0717', slug: 'language_model_timeout' })
      expect(Date.now() - started).toBeLessThan(2500)
      expect(await t.fake.requests[0]!.ended).toBe('aborted')
    })

    it('waits for a slow first token within the deadline', async () => {
      t.fake.script({ text: ['worth the wait'], delayMs: 400 })
      expect(text(await collect(local({}, { timeouts: { firstTokenMs: 3000 } }).stream(request())))).toBe(
        'worth the wait',
      )
    })

    it('stops generating when the signal aborts mid-stream', async () => {
      t.fake.script({ text: ['one ', 'two ', 'three '], chunkDelayMs: 50, hang: true })
      const ac = new AbortController()
      const seen: LlmEvent[] = []
      for await (const e of local().stream(request({ signal: ac.signal }))) {
        seen.push(e)
        if (seen.length === 2) ac.abort()
      }
      expect(text(seen)).toBe('one two ')
      expect(await t.fake.requests[0]!.ended).toBe('aborted')
    })

    it('hangs up when the consumer stops reading', async () => {
      t.fake.script({ text: ['a', 'b', 'c'], chunkDelayMs: 50, hang: true })
      for await (const e of local().stream(request())) if (e.type === 'text') break
      expect(await t.fake.requests[0]!.ended).toBe('aborted')
    })

    it('ends quietly for a request aborted before it starts', async () => {
      const ac = new AbortController()
      ac.abort()
      expect(await collect(local().stream(request({ signal: ac.signal })))).toEqual([])
      expect(t.fake.requests).toHaveLength(0)
    })

    it('answers "not configured" when PROSODIA_LLM_URL is unset', () => {
      const evi = { ...t.deps().evi, llmUrl: undefined }
      expect(() => local({}, { evi })).toThrow(
        expect.objectContaining({ code: 'E0710', slug: 'language_model_not_configured' }),
      )
      expect(() => local({}, { evi })).toThrow(/PROSODIA_LLM_URL/)
    })
  })

  describe('errors', () => {
    it.each([
      [401, 'E0715', 'language_model_auth_failed'],
      [403, 'E0715', 'language_model_auth_failed'],
      [429, 'E0716', 'language_model_rate_limited'],
      [404, 'E0722', 'language_model_request_rejected'],
      [500, 'E0714', 'language_model_unavailable'],
      [503, 'E0714', 'language_model_unavailable'],
    ])('maps HTTP %i to %s %s', async (status, code, slug) => {
      t.fake.script({ status, errorMessage: 'Incorrect API key provided: operator-key' })
      const err = await failure(local().stream(request()))
      expect(err).toMatchObject({ code, slug })
      // The operator's key never reaches a message that goes to the client.
      expect(err.message).not.toContain('operator-key')
    })

    it('reports a stream it cannot read', async () => {
      t.fake.script({ raw: 'data: {"choices": [ {"delta": 12}]}\n\ndata: [DONE]\n\n' })
      expect(await failure(local().stream(request()))).toMatchObject({
        code: 'E0718',
        slug: 'language_model_bad_response',
      })
    })

    it('reports a JSON answer where a stream was expected', async () => {
      t.fake.script({ raw: '{"choices":[{"message":{"role":"assistant","content":"hi"}}]}' })
      expect(await failure(local().stream(request()))).toMatchObject({ code: 'E0718' })
    })

    it('reports a model that drops the connection mid-answer, after what it said', async () => {
      t.fake.script({ text: ['Half an ', 'answer'], chunkDelayMs: 20, drop: true })
      const seen: LlmEvent[] = []
      const err = await (async () => {
        for await (const e of local().stream(request())) seen.push(e)
      })().catch((e: unknown) => e)
      expect(text(seen)).toBe('Half an answer')
      expect(err).toMatchObject({ code: 'E0714', slug: 'language_model_unavailable' })
    })

    it('reports a model nobody answers at', async () => {
      const gone = await startFakeLlm()
      const url = gone.baseURL
      await gone.close()
      const evi = { ...t.deps().evi, llmUrl: url }
      const err = await failure(local({}, { evi }).stream(request()))
      expect(err).toMatchObject({ code: 'E0714', slug: 'language_model_unavailable' })
      const clm = local(
        { language_model: { model_provider: 'CUSTOM_LANGUAGE_MODEL', model_resource: `${url}/chat/completions` } },
        { fetchAllowList: ['127.0.0.1'] },
      )
      expect(await failure(clm.stream(request()))).toMatchObject({
        code: 'E0705',
        slug: 'custom_language_model_disconnected',
      })
    })

    it('refuses a hosted provider without a key', () => {
      expect(() => local({ language_model: { model_provider: 'OPEN_AI', model_resource: 'gpt-4o' } })).toThrow(
        expect.objectContaining({ code: 'E0721' }),
      )
    })
  })
})
