import { describe, expect, it } from 'vitest'
import { MODEL_PROVIDERS } from '../config-enums.js'
import { planLanguageModel, type LanguageModelSpec } from './llm.providers.js'

const evi = { llmUrl: 'http://127.0.0.1:11434/v1', llmModel: 'llama3.2', llmApiKey: undefined, clmUrl: undefined }
const keys = {
  OPENAI_API_KEY: 'k-openai',
  ANTHROPIC_API_KEY: 'k-anthropic',
  GOOGLE_GENERATIVE_AI_API_KEY: 'k-google',
  GROQ_API_KEY: 'k-groq',
  FIREWORKS_API_KEY: 'k-fireworks',
  CEREBRAS_API_KEY: 'k-cerebras',
  PERPLEXITY_API_KEY: 'k-perplexity',
  SAMBANOVA_API_KEY: 'k-sambanova',
  XAI_API_KEY: 'k-xai',
}
const lm = (model_provider?: string, model_resource?: string, temperature?: number): LanguageModelSpec => ({
  language_model: {
    model_provider: model_provider ?? null,
    model_resource: model_resource ?? null,
    temperature: temperature ?? null,
  },
})

describe('planLanguageModel', () => {
  it.each([
    [{}],
    [{ language_model: null }],
    [lm()],
    [lm('HUME_AI', 'ellm', 0.7)],
    [lm('HUME_AI', 'hume-evi-3-web-search')],
  ])('serves %j with the operator model', (spec) => {
    const plan = planLanguageModel({ ...spec, language_model_api_key: 'users-key' }, keys, { ...evi, llmApiKey: 'op' })
    expect(plan).toMatchObject({
      kind: 'openai-compatible',
      baseURL: evi.llmUrl,
      modelId: 'llama3.2',
      apiKey: 'op',
      trusted: true,
    })
  })

  it('carries the temperature', () => {
    expect(planLanguageModel(lm('HUME_AI', undefined, 0.7), {}, evi).temperature).toBe(0.7)
    expect(planLanguageModel(lm('ANTHROPIC', undefined, 0), keys, evi).temperature).toBe(0)
  })

  it('says how to configure a default model when there is none', () => {
    expect(() => planLanguageModel({}, {}, { ...evi, llmUrl: undefined })).toThrow(
      expect.objectContaining({
        code: 'E0710',
        slug: 'language_model_not_configured',
        message: expect.stringContaining('PROSODIA_LLM_URL'),
      }),
    )
  })

  it.each([
    ['OPEN_AI', 'gpt-4o', 'openai-compatible', 'https://api.openai.com/v1', 'gpt-4o'],
    ['OPEN_AI', undefined, 'openai-compatible', 'https://api.openai.com/v1', 'gpt-4o-mini'],
    [
      'ANTHROPIC',
      'claude-sonnet-4-5-20250929',
      'anthropic',
      'https://api.anthropic.com/v1',
      'claude-sonnet-4-5-20250929',
    ],
    [
      'ANTHROPIC',
      'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      'anthropic',
      'https://api.anthropic.com/v1',
      'claude-3-5-haiku-20241022',
    ],
    ['GOOGLE', 'gemini-2.5-flash', 'google', 'https://generativelanguage.googleapis.com/v1beta', 'gemini-2.5-flash'],
    ['GROQ', 'gpt-oss-120b', 'openai-compatible', 'https://api.groq.com/openai/v1', 'openai/gpt-oss-120b'],
    [
      'GROQ',
      'llama-3.3-70b-versatile',
      'openai-compatible',
      'https://api.groq.com/openai/v1',
      'llama-3.3-70b-versatile',
    ],
    [
      'FIREWORKS',
      'accounts/fireworks/models/llama-v3p1-8b-instruct',
      'openai-compatible',
      'https://api.fireworks.ai/inference/v1',
      'accounts/fireworks/models/llama-v3p1-8b-instruct',
    ],
    [
      'CEREBRAS',
      'qwen-3-235b-a22b-instruct-2507',
      'openai-compatible',
      'https://api.cerebras.ai/v1',
      'qwen-3-235b-a22b-instruct-2507',
    ],
    ['PERPLEXITY', 'sonar-pro', 'openai-compatible', 'https://api.perplexity.ai', 'sonar-pro'],
    ['SAMBANOVA', 'sambanova', 'openai-compatible', 'https://api.sambanova.ai/v1', 'Meta-Llama-3.3-70B-Instruct'],
    [
      'X_AI',
      'grok-4-fast-non-reasoning-latest',
      'openai-compatible',
      'https://api.x.ai/v1',
      'grok-4-fast-non-reasoning',
    ],
  ])('%s %s → %s at %s, model %s', (provider, resource, kind, baseURL, modelId) => {
    const plan = planLanguageModel(lm(provider, resource), keys, evi)
    expect(plan).toMatchObject({ kind, baseURL, modelId, trusted: false })
  })

  it('reads each provider key from its environment variable, the session key first', () => {
    expect(planLanguageModel(lm('GROQ'), keys, evi)).toMatchObject({ apiKey: 'k-groq' })
    expect(planLanguageModel({ ...lm('GROQ'), language_model_api_key: 'mine' }, keys, evi)).toMatchObject({
      apiKey: 'mine',
    })
    expect(planLanguageModel(lm('GOOGLE'), { GOOGLE_API_KEY: 'alt' }, evi)).toMatchObject({ apiKey: 'alt' })
  })

  it('refuses a hosted provider without any key, naming the variable', () => {
    expect(() => planLanguageModel(lm('CEREBRAS', 'gpt-oss-120b'), {}, evi)).toThrow(
      expect.objectContaining({ code: 'E0721', message: expect.stringContaining('CEREBRAS_API_KEY') }),
    )
  })

  it('takes an operator base URL override and trusts it', () => {
    const plan = planLanguageModel(lm('OPEN_AI'), { ...keys, OPENAI_BASE_URL: 'http://10.0.0.5:8080/v1' }, evi)
    expect(plan).toMatchObject({ baseURL: 'http://10.0.0.5:8080/v1', trusted: true })
    expect(() => planLanguageModel(lm('OPEN_AI'), { ...keys, OPENAI_BASE_URL: 'ftp://x' }, evi)).toThrow(
      /OPENAI_BASE_URL/,
    )
  })

  it('turns Hume priority ids into the priority tier and keeps GPT-5 reasoning short', () => {
    expect(planLanguageModel(lm('OPEN_AI', 'gpt-4.1-priority'), keys, evi)).toMatchObject({
      modelId: 'gpt-4.1',
      bodyExtras: { service_tier: 'priority' },
    })
    expect(planLanguageModel(lm('OPEN_AI', 'gpt-5-nano'), keys, evi)).toMatchObject({
      noTemperature: true,
      bodyExtras: { reasoning_effort: 'minimal' },
    })
    expect(planLanguageModel(lm('OPEN_AI', 'gpt-5.1-priority'), keys, evi)).toMatchObject({
      modelId: 'gpt-5.1',
      noTemperature: true,
      bodyExtras: { service_tier: 'priority', reasoning_effort: 'none' },
    })
    expect(planLanguageModel(lm('OPEN_AI', 'gpt-4o'), keys, evi)).not.toHaveProperty('bodyExtras')
  })

  describe('CUSTOM_LANGUAGE_MODEL', () => {
    it('posts to model_resource when it is a URL (untrusted: it is an API user’s)', () => {
      const url = 'https://clm.example/chat/completions?token=abc'
      expect(planLanguageModel({ ...lm('CUSTOM_LANGUAGE_MODEL', url), language_model_api_key: 'k' }, {}, evi)).toEqual({
        kind: 'clm',
        url,
        apiKey: 'k',
        trusted: false,
        temperature: undefined,
      })
    })

    it('falls back on PROSODIA_CLM_URL (trusted) for a non-URL resource', () => {
      const clmUrl = 'http://127.0.0.1:9000/chat/completions'
      expect(
        planLanguageModel(lm('CUSTOM_LANGUAGE_MODEL', 'custom-language-model'), {}, { ...evi, clmUrl }),
      ).toMatchObject({
        kind: 'clm',
        url: clmUrl,
        trusted: true,
      })
    })

    it('says what to set when there is no URL at all', () => {
      expect(() => planLanguageModel(lm('CUSTOM_LANGUAGE_MODEL'), {}, evi)).toThrow(
        expect.objectContaining({ code: 'E0710', message: expect.stringContaining('PROSODIA_CLM_URL') }),
      )
      expect(() => planLanguageModel(lm('CUSTOM_LANGUAGE_MODEL', 'file:///etc/passwd'), {}, evi)).toThrow(
        /PROSODIA_CLM_URL/,
      )
    })
  })

  it('answers every provider of the SDK with a plan or a clear error', () => {
    for (const provider of MODEL_PROVIDERS) {
      try {
        planLanguageModel(
          { ...lm(provider), language_model_api_key: 'k' },
          {},
          { ...evi, clmUrl: 'https://clm.example/chat/completions' },
        )
      } catch (err) {
        expect(provider).toBe('AMAZON_BEDROCK')
        expect(err).toMatchObject({ code: 'E0720', slug: 'language_model_unsupported' })
      }
    }
  })
})
