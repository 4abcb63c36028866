import { describe, expect, it } from 'vitest'
import {
  fakeLlmSuite,
  llmFailure as failure,
  llmRequest as request,
  llmText as text,
  collectLlm as collect,
  weatherTool as weather,
} from '../../helpers/llm-stream.js'

// Each model_provider's wire format against the scripted model on 127.0.0.1: OpenAI-compatible
// hosted APIs, Hume's custom-language-model protocol, Anthropic and Google.

describe('language model providers', () => {
  const t = fakeLlmSuite()
  const local: typeof t.model = (spec, over) => t.model(spec, over)

  describe('OPEN_AI (an OpenAI-compatible hosted API)', () => {
    it('uses OPENAI_API_KEY at OPENAI_BASE_URL, Hume priority ids as the priority tier', async () => {
      const model = local(
        { language_model: { model_provider: 'OPEN_AI', model_resource: 'gpt-4o-priority' } },
        { env: { OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: t.fake.baseURL } },
      )
      expect(model.label).toBe('openai:gpt-4o')
      expect(text(await collect(model.stream(request())))).toBe('Hello there.')
      const [req] = t.fake.requests
      expect(req!.headers.authorization).toBe('Bearer sk-env')
      expect(req!.body).toMatchObject({ model: 'gpt-4o', service_tier: 'priority', stream: true })
    })

    it("prefers the session's language_model_api_key and drops temperature for GPT-5", async () => {
      const model = local(
        {
          language_model: { model_provider: 'OPEN_AI', model_resource: 'gpt-5-mini', temperature: 0.5 },
          language_model_api_key: 'sk-session',
        },
        { env: { OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: t.fake.baseURL } },
      )
      await collect(model.stream(request()))
      const [req] = t.fake.requests
      expect(req!.headers.authorization).toBe('Bearer sk-session')
      expect(req!.body.model).toBe('gpt-5-mini')
      expect(req!.body.reasoning_effort).toBe('minimal')
      expect(req!.body).not.toHaveProperty('temperature')
    })
  })

  describe('CUSTOM_LANGUAGE_MODEL (Hume CLM protocol)', () => {
    it('POSTs the conversation to model_resource with custom_session_id, prosody and the session key', async () => {
      t.fake.script({ text: ['From ', 'my CLM.'] })
      const model = local(
        {
          language_model: { model_provider: 'CUSTOM_LANGUAGE_MODEL', model_resource: `${t.fake.clmURL}?tenant=acme` },
          language_model_api_key: 'clm-secret',
        },
        { fetchAllowList: ['127.0.0.1'] },
      )
      expect(model.label).toBe(`custom-language-model:${new URL(t.fake.clmURL).host}/clm/chat/completions`)
      const events = await collect(
        model.stream(
          request({
            customSessionId: 'session-7',
            messages: [
              {
                role: 'user',
                content: 'I lost my keys.',
                prosody: { Sadness: 0.6, Calmness: 0.1 },
                time: { begin: 100, end: 900 },
              },
            ],
          }),
        ),
      )
      expect(text(events)).toBe('From my CLM.')
      const [req] = t.fake.requests
      expect(req!.path).toBe('/clm/chat/completions')
      expect(req!.query.get('custom_session_id')).toBe('session-7')
      expect(req!.query.get('tenant')).toBe('acme')
      expect(req!.headers.authorization).toBe('Bearer clm-secret')
      expect(req!.body).toMatchObject({ model: 'custom-language-model', stream: true })
      expect(req!.body.messages).toEqual([
        { role: 'system', content: 'You are terse.' },
        {
          role: 'user',
          content: 'I lost my keys.',
          models: { prosody: { scores: { Sadness: 0.6, Calmness: 0.1 } } },
          time: { begin: 100, end: 900 },
        },
      ])
    })

    it('falls back on PROSODIA_CLM_URL for the SDK value "custom-language-model", and reads its tool calls', async () => {
      t.fake.script({ toolCall: { id: 'c1', name: 'get_weather', arguments: '{"city":"Oslo"}' } })
      const evi = { ...t.deps().evi, clmUrl: t.fake.clmURL }
      const model = local(
        { language_model: { model_provider: 'CUSTOM_LANGUAGE_MODEL', model_resource: 'custom-language-model' } },
        { evi },
      )
      const events = await collect(model.stream(request({ tools: [weather] })))
      expect(events.find((e) => e.type === 'tool_call')).toMatchObject({
        call: { id: 'c1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      })
      expect(t.fake.requests[0]!.query.has('custom_session_id')).toBe(false)
      expect(t.fake.requests[0]!.headers.authorization).toBeUndefined()
    })

    it('accepts a hand-written stream without finish_reason or [DONE]', async () => {
      t.fake.script({
        raw: 'data: {"choices":[{"delta":{"content":"Short "}}]}\n\ndata: {"choices":[{"delta":{"content":"and sweet."}}]}\n\n',
      })
      const model = local(
        { language_model: { model_provider: 'CUSTOM_LANGUAGE_MODEL', model_resource: t.fake.clmURL } },
        { fetchAllowList: ['127.0.0.1'] },
      )
      const events = await collect(model.stream(request()))
      expect(text(events)).toBe('Short and sweet.')
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
    })

    it('is refused by the SSRF guard on 127.0.0.1 unless allow-listed', async () => {
      const spec = { language_model: { model_provider: 'CUSTOM_LANGUAGE_MODEL', model_resource: t.fake.clmURL } }
      const err = await failure(local(spec).stream(request()))
      expect(err).toMatchObject({ code: 'E0719', slug: 'language_model_url_forbidden' })
      expect(err.message).toMatch(/PROSODIA_FETCH_ALLOW/)
      const metadata = {
        language_model: {
          model_provider: 'CUSTOM_LANGUAGE_MODEL',
          model_resource: 'http://169.254.169.254/chat/completions',
        },
      }
      expect(await failure(local(metadata, { fetchAllowList: ['127.0.0.1'] }).stream(request()))).toMatchObject({
        code: 'E0719',
      })
      expect(t.fake.requests).toHaveLength(0)
    })
  })

  describe('ANTHROPIC and GOOGLE (native APIs)', () => {
    it('sends Anthropic Messages requests and reads text and tool use', async () => {
      t.fake.script({
        text: ['Bonjour'],
        toolCall: { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Lyon"}' },
      })
      const model = local(
        {
          language_model: { model_provider: 'ANTHROPIC', model_resource: 'claude-3-5-haiku-latest', temperature: 0.2 },
        },
        { env: { ANTHROPIC_API_KEY: 'ant-key', ANTHROPIC_BASE_URL: t.fake.baseURL } },
      )
      expect(model.label).toBe('anthropic:claude-3-5-haiku-latest')
      const events = await collect(model.stream(request({ tools: [weather] })))
      expect(text(events)).toBe('Bonjour')
      expect(events.find((e) => e.type === 'tool_call')).toMatchObject({
        call: { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Lyon"}' },
      })
      const [req] = t.fake.requests
      expect(req!.path).toBe('/v1/messages')
      expect(req!.headers['x-api-key']).toBe('ant-key')
      expect(req!.body).toMatchObject({
        model: 'claude-3-5-haiku-latest',
        stream: true,
        temperature: 0.2,
        system: [{ type: 'text', text: 'You are terse.' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi!' }] }],
        tools: [{ name: 'get_weather', description: 'The weather in a city', input_schema: weather.parameters }],
      })
    })

    it('maps Hume Bedrock ids to Anthropic ids', async () => {
      const model = local(
        {
          language_model: { model_provider: 'ANTHROPIC', model_resource: 'us.anthropic.claude-3-haiku-20240307-v1:0' },
        },
        { env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: t.fake.baseURL } },
      )
      await collect(model.stream(request()))
      expect(t.fake.requests[0]!.body.model).toBe('claude-3-haiku-20240307')
    })

    it('sends Gemini streamGenerateContent requests and reads text and function calls', async () => {
      t.fake.script({ text: ['Hallo', ' Welt'], toolCall: { name: 'get_weather', arguments: '{"city":"Bonn"}' } })
      const model = local(
        { language_model: { model_provider: 'GOOGLE', model_resource: 'gemini-2.0-flash' } },
        { env: { GOOGLE_API_KEY: 'g-key', GOOGLE_GENERATIVE_AI_BASE_URL: t.fake.baseURL } },
      )
      const events = await collect(model.stream(request({ tools: [weather] })))
      expect(text(events)).toBe('Hallo Welt')
      expect(events.find((e) => e.type === 'tool_call')).toMatchObject({
        call: { name: 'get_weather', arguments: '{"city":"Bonn"}' },
      })
      const [req] = t.fake.requests
      expect(req!.path).toBe('/v1/models/gemini-2.0-flash:streamGenerateContent')
      expect(req!.query.get('alt')).toBe('sse')
      expect(req!.headers['x-goog-api-key']).toBe('g-key')
      expect(req!.body).toMatchObject({
        systemInstruction: { parts: [{ text: 'You are terse.' }] },
        contents: [{ role: 'user', parts: [{ text: 'Hi!' }] }],
      })
      expect(req!.body.tools[0].functionDeclarations[0]).toMatchObject({ name: 'get_weather' })
    })
  })
})
