/**
 * Which endpoint, model id and key a config's `language_model` means, decided without any I/O.
 * Hume's `model_resource` values are its own catalogue; each provider gets the id its API knows
 * (a Bedrock id asked of Anthropic becomes the matching Anthropic id; Hume's "-priority" OpenAI
 * tier becomes OpenAI's priority service tier).
 */
import type { EviConfig } from '../../../config.js'
import { LLM_ERRORS, llmError } from './llm.errors.js'

export type Env = Readonly<Record<string, string | undefined>>

/** The config's `language_model` (wire shape) and the session's `language_model_api_key`. */
export interface LanguageModelSpec {
  language_model?: {
    model_provider?: string | null
    model_resource?: string | null
    temperature?: number | null
  } | null
  language_model_api_key?: string | null
}

type Wire = 'openai-compatible' | 'anthropic' | 'google'

interface HostedProvider {
  wire: Wire
  /** Label prefix and AI SDK provider name. */
  name: string
  baseURL: string
  /** Operator override of baseURL (a proxy, a gateway, a test server). */
  baseUrlEnv: string
  keyEnv: readonly string[]
  defaultModel: string
  /** Hume's model_resource value → this provider's model id, where they differ. */
  models?: Readonly<Record<string, string>>
}

const HOSTED: Readonly<Record<string, HostedProvider>> = {
  OPEN_AI: {
    wire: 'openai-compatible',
    name: 'openai',
    baseURL: 'https://api.openai.com/v1',
    baseUrlEnv: 'OPENAI_BASE_URL',
    keyEnv: ['OPENAI_API_KEY'],
    defaultModel: 'gpt-4o-mini',
  },
  GROQ: {
    wire: 'openai-compatible',
    name: 'groq',
    baseURL: 'https://api.groq.com/openai/v1',
    baseUrlEnv: 'GROQ_BASE_URL',
    keyEnv: ['GROQ_API_KEY'],
    defaultModel: 'llama-3.3-70b-versatile',
    models: { 'gpt-oss-120b': 'openai/gpt-oss-120b' },
  },
  FIREWORKS: {
    wire: 'openai-compatible',
    name: 'fireworks',
    baseURL: 'https://api.fireworks.ai/inference/v1',
    baseUrlEnv: 'FIREWORKS_BASE_URL',
    keyEnv: ['FIREWORKS_API_KEY'],
    defaultModel: 'accounts/fireworks/models/llama-v3p1-70b-instruct',
    models: {
      'gpt-oss-120b': 'accounts/fireworks/models/gpt-oss-120b',
      'qwen-3-235b-a22b': 'accounts/fireworks/models/qwen3-235b-a22b',
      'moonshotai/kimi-k2-instruct': 'accounts/fireworks/models/kimi-k2-instruct',
    },
  },
  CEREBRAS: {
    wire: 'openai-compatible',
    name: 'cerebras',
    baseURL: 'https://api.cerebras.ai/v1',
    baseUrlEnv: 'CEREBRAS_BASE_URL',
    keyEnv: ['CEREBRAS_API_KEY'],
    defaultModel: 'gpt-oss-120b',
    models: { 'qwen-3-235b-a22b': 'qwen-3-235b-a22b-instruct-2507' },
  },
  PERPLEXITY: {
    wire: 'openai-compatible',
    name: 'perplexity',
    baseURL: 'https://api.perplexity.ai',
    baseUrlEnv: 'PERPLEXITY_BASE_URL',
    keyEnv: ['PERPLEXITY_API_KEY'],
    defaultModel: 'sonar',
  },
  SAMBANOVA: {
    wire: 'openai-compatible',
    name: 'sambanova',
    baseURL: 'https://api.sambanova.ai/v1',
    baseUrlEnv: 'SAMBANOVA_BASE_URL',
    keyEnv: ['SAMBANOVA_API_KEY'],
    defaultModel: 'Meta-Llama-3.3-70B-Instruct',
    // "sambanova" is Hume's name for SambaNova's default model.
    models: { sambanova: 'Meta-Llama-3.3-70B-Instruct' },
  },
  X_AI: {
    wire: 'openai-compatible',
    name: 'xai',
    baseURL: 'https://api.x.ai/v1',
    baseUrlEnv: 'XAI_BASE_URL',
    keyEnv: ['XAI_API_KEY'],
    defaultModel: 'grok-4-fast-non-reasoning',
    models: { 'grok-4-fast-non-reasoning-latest': 'grok-4-fast-non-reasoning' },
  },
  ANTHROPIC: {
    wire: 'anthropic',
    name: 'anthropic',
    baseURL: 'https://api.anthropic.com/v1',
    baseUrlEnv: 'ANTHROPIC_BASE_URL',
    keyEnv: ['ANTHROPIC_API_KEY'],
    defaultModel: 'claude-haiku-4-5-20251001',
    // Hume's Bedrock ids, asked of Anthropic's own API.
    models: {
      'us.anthropic.claude-3-5-haiku-20241022-v1:0': 'claude-3-5-haiku-20241022',
      'us.anthropic.claude-3-5-sonnet-20240620-v1:0': 'claude-3-5-sonnet-20240620',
      'us.anthropic.claude-3-haiku-20240307-v1:0': 'claude-3-haiku-20240307',
    },
  },
  GOOGLE: {
    wire: 'google',
    name: 'google',
    baseURL: 'https://generativelanguage.googleapis.com/v1beta',
    baseUrlEnv: 'GOOGLE_GENERATIVE_AI_BASE_URL',
    keyEnv: ['GOOGLE_GENERATIVE_AI_API_KEY', 'GOOGLE_API_KEY'],
    defaultModel: 'gemini-2.5-flash',
  },
}

/** model_resource values that name no particular model: the provider's default applies. */
const NO_PARTICULAR_MODEL = new Set(['custom-language-model', 'ellm', 'hume-evi-3-web-search'])

export type ModelPlan =
  | {
      kind: Wire
      name: string
      baseURL: string
      modelId: string
      apiKey: string | undefined
      /** The URL came from the operator (env), not from an API user: its host passes the SSRF guard. */
      trusted: boolean
      temperature: number | undefined
      /** Extra request fields for OpenAI-compatible APIs (OpenAI's service tier, reasoning effort). */
      bodyExtras?: Record<string, unknown>
      /** Drop the temperature: OpenAI's reasoning models refuse any but the default. */
      noTemperature?: boolean
    }
  | { kind: 'clm'; url: string; apiKey: string | undefined; trusted: boolean; temperature: number | undefined }

/** Decides what `spec` means; throws LlmError when it cannot be served. */
export function planLanguageModel(
  spec: LanguageModelSpec,
  env: Env,
  evi: Pick<EviConfig, 'llmUrl' | 'llmModel' | 'llmApiKey' | 'clmUrl'>,
): ModelPlan {
  const lm = spec.language_model ?? undefined
  const provider = lm?.model_provider ?? undefined
  const resource = lm?.model_resource ?? undefined
  const temperature = lm?.temperature ?? undefined
  const sessionKey = spec.language_model_api_key || undefined

  if (!provider || provider === 'HUME_AI') {
    if (!evi.llmUrl) {
      throw llmError(
        LLM_ERRORS.notConfigured,
        'no language model configured: set PROSODIA_LLM_URL (any OpenAI-compatible endpoint, e.g. a local ' +
          'Ollama at http://127.0.0.1:11434/v1) or choose a model_provider in the config',
      )
    }
    // The operator's model, with the operator's key: a session's own key is for its own provider.
    return {
      kind: 'openai-compatible',
      name: 'openai-compatible',
      baseURL: evi.llmUrl,
      modelId: evi.llmModel,
      apiKey: evi.llmApiKey,
      trusted: true,
      temperature,
    }
  }

  if (provider === 'CUSTOM_LANGUAGE_MODEL') {
    if (resource && isHttpUrl(resource)) {
      return { kind: 'clm', url: resource, apiKey: sessionKey, trusted: false, temperature }
    }
    if (!evi.clmUrl) {
      throw llmError(
        LLM_ERRORS.notConfigured,
        'no custom language model URL: set model_resource to its https://…/chat/completions URL, or set PROSODIA_CLM_URL',
      )
    }
    return { kind: 'clm', url: evi.clmUrl, apiKey: sessionKey, trusted: true, temperature }
  }

  const hosted = HOSTED[provider]
  if (!hosted) {
    throw llmError(
      LLM_ERRORS.unsupported,
      `model_provider ${provider} is not supported by this server; use OPEN_AI, ANTHROPIC, GOOGLE, GROQ, ` +
        'FIREWORKS, CEREBRAS, PERPLEXITY, SAMBANOVA, X_AI, CUSTOM_LANGUAGE_MODEL or HUME_AI',
    )
  }
  const apiKey = sessionKey ?? hosted.keyEnv.map((name) => env[name]).find(Boolean)
  if (!apiKey) {
    throw llmError(
      LLM_ERRORS.apiKeyMissing,
      `no API key for ${provider}: set ${hosted.keyEnv.join(' or ')} on the server, or language_model_api_key in the session settings`,
    )
  }
  const override = env[hosted.baseUrlEnv]
  if (override && !isHttpUrl(override)) {
    throw llmError(LLM_ERRORS.notConfigured, `${hosted.baseUrlEnv} must be an http(s) URL`)
  }
  const plan: ModelPlan = {
    kind: hosted.wire,
    name: hosted.name,
    baseURL: override || hosted.baseURL,
    modelId: hosted.defaultModel,
    apiKey,
    trusted: Boolean(override),
    temperature,
  }
  if (resource && !NO_PARTICULAR_MODEL.has(resource)) plan.modelId = hosted.models?.[resource] ?? resource
  if (provider === 'OPEN_AI') openAiTuning(plan)
  return plan
}

/**
 * Hume's "-priority" ids are OpenAI's priority tier of the same model. GPT-5 models reason before
 * they speak and refuse a temperature; a voice turn wants the least reasoning each model allows.
 */
function openAiTuning(plan: Extract<ModelPlan, { kind: Wire }>): void {
  const extras: Record<string, unknown> = {}
  if (plan.modelId.endsWith('-priority')) {
    plan.modelId = plan.modelId.slice(0, -'-priority'.length)
    extras.service_tier = 'priority'
  }
  const gpt5 = /^gpt-5(\.\d+)?(-mini|-nano)?$/.exec(plan.modelId)
  if (gpt5) {
    plan.noTemperature = true
    extras.reasoning_effort = gpt5[1] ? 'none' : 'minimal'
  }
  if (Object.keys(extras).length) plan.bodyExtras = extras
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}
