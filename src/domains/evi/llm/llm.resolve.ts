/**
 * Turns a config's `language_model` (plus the session's key) into a LanguageModel: the provider's
 * AI SDK client with the SSRF-guarded fetch, or Hume's custom-language-model protocol. Building one
 * makes no request; problems with the model itself surface as LlmErrors from `stream()`.
 */
import { createAnthropic } from '@ai-sdk/anthropic'
import { createGoogleGenerativeAI } from '@ai-sdk/google'
import { createOpenAICompatible, OpenAICompatibleChatLanguageModel } from '@ai-sdk/openai-compatible'
import type { LanguageModel as AiModel } from 'ai'
import type { EviConfig } from '../../../config.js'
import { AiSdkLanguageModel } from './ai-sdk-model.js'
import { createGuardedFetch } from './guarded-fetch.js'
import { planLanguageModel, type Env, type LanguageModelSpec, type ModelPlan } from './llm.providers.js'
import type { LanguageModel, LlmRequest } from './llm.types.js'

export type { LanguageModelSpec } from './llm.providers.js'

/** Longest streamed answer accepted from a model, bytes: a spoken reply is a few kilobytes. */
export const LLM_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
/** Deadline for one whole model request, its streamed answer included, ms. */
export const LLM_REQUEST_DEADLINE_MS = 5 * 60_000
/** The model id sent to a custom language model (Hume's "custom language model identifier" default). */
export const CLM_MODEL_ID = 'custom-language-model'

export interface LlmDeps {
  /** Where provider keys (OPENAI_API_KEY, …) and base-URL overrides (OPENAI_BASE_URL, …) are read. */
  env: Env
  evi: Pick<EviConfig, 'llmUrl' | 'llmModel' | 'llmApiKey' | 'clmUrl' | 'llmTimeoutMs'>
  /** config.fetchAllowList: non-public hosts an API user's URL (a custom language model) may reach. */
  fetchAllowList: readonly string[]
  timeouts?: {
    /** Default: evi.llmTimeoutMs. */
    firstTokenMs?: number
    /** Default: LLM_REQUEST_DEADLINE_MS. */
    requestMs?: number
  }
  /** Default: LLM_MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number
}

export function resolveLanguageModel(spec: LanguageModelSpec, deps: LlmDeps): LanguageModel {
  const plan = planLanguageModel(spec, deps.env, deps.evi)
  const url = plan.kind === 'clm' ? plan.url : plan.baseURL
  const fetch = createGuardedFetch({
    // The operator's own endpoints (PROSODIA_LLM_URL, PROSODIA_CLM_URL, *_BASE_URL) are trusted to be
    // local — a model on 127.0.0.1 is the usual setup — without opening that host to API users' URLs.
    allowList: plan.trusted ? [...deps.fetchAllowList, new URL(url).hostname] : deps.fetchAllowList,
    maxResponseBytes: deps.maxResponseBytes ?? LLM_MAX_RESPONSE_BYTES,
    deadlineMs: deps.timeouts?.requestMs ?? LLM_REQUEST_DEADLINE_MS,
  })
  const common = {
    firstTokenMs: deps.timeouts?.firstTokenMs ?? deps.evi.llmTimeoutMs,
    ...(plan.temperature !== undefined && { temperature: plan.temperature }),
  }

  if (plan.kind === 'clm') {
    const secrets = [plan.apiKey, ...new URL(plan.url).searchParams.values()]
    return new AiSdkLanguageModel({
      ...common,
      label: `custom-language-model:${labelOf(plan.url)}`,
      clm: true,
      secrets,
      model: (req) => clmModel(plan, req, fetch),
    })
  }

  const model = providerModel(plan, fetch)
  return new AiSdkLanguageModel({
    ...common,
    label: `${plan.name}:${plan.modelId}`,
    clm: false,
    secrets: [plan.apiKey],
    model: () => model,
  })
}

type AiProviderModel = Exclude<AiModel, string>

function providerModel(plan: Exclude<ModelPlan, { kind: 'clm' }>, fetch: typeof globalThis.fetch): AiProviderModel {
  // Keys and base URLs are always passed: left out, these providers would read process.env themselves.
  switch (plan.kind) {
    case 'anthropic':
      return createAnthropic({ baseURL: plan.baseURL, apiKey: plan.apiKey ?? '', fetch })(plan.modelId)
    case 'google':
      return createGoogleGenerativeAI({ baseURL: plan.baseURL, apiKey: plan.apiKey ?? '', fetch })(plan.modelId)
    case 'openai-compatible': {
      const { bodyExtras, noTemperature } = plan
      return createOpenAICompatible({
        name: plan.name,
        baseURL: plan.baseURL,
        ...(plan.apiKey && { apiKey: plan.apiKey }),
        fetch,
        ...((bodyExtras || noTemperature) && {
          transformRequestBody: (body: Record<string, unknown>) => {
            const out = { ...body, ...bodyExtras }
            if (noTemperature) delete out.temperature
            return out
          },
        }),
      })(plan.modelId)
    }
  }
}

/**
 * Hume's CLM protocol: an OpenAI-style streaming /chat/completions POST to the URL exactly as
 * configured (its own query string kept), with `custom_session_id` added as a query parameter.
 */
function clmModel(
  plan: Extract<ModelPlan, { kind: 'clm' }>,
  req: LlmRequest,
  fetch: typeof globalThis.fetch,
): AiProviderModel {
  const url = new URL(plan.url)
  if (req.customSessionId) url.searchParams.set('custom_session_id', req.customSessionId)
  const headers: Record<string, string> = plan.apiKey ? { Authorization: `Bearer ${plan.apiKey}` } : {}
  return new OpenAICompatibleChatLanguageModel(CLM_MODEL_ID, {
    provider: 'custom-language-model.chat',
    url: () => url.href,
    headers: () => headers,
    fetch,
  })
}

/** Host and path only: a CLM URL's query string may carry a token, and labels end up in error messages. */
function labelOf(raw: string): string {
  const u = new URL(raw)
  return `${u.host}${u.pathname}`
}
