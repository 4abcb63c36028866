/**
 * The language model stage's errors: what went wrong with a model, as a Hume-style code and slug
 * the chat sends in an `error` message (the socket stays open). E0705 is Hume's own code for a custom
 * language model that cannot be reached; the others are Prosodia's, in the E07xx range Hume uses for
 * EVI chat errors ("I" for failures of our own).
 */
import { APICallError } from 'ai'
import { SafeFetchError } from '../../../shared/net/safe-fetch.js'
import { LlmError } from './llm.types.js'

export interface LlmErrorSpec {
  code: string
  slug: string
}

export const LLM_ERRORS = {
  /** HUME_AI / no model and PROSODIA_LLM_URL unset, or a custom language model with no URL. */
  notConfigured: { code: 'E0710', slug: 'language_model_not_configured' },
  /** Hume's code and slug for a custom language model that cannot be reached or broke off. */
  clmDisconnected: { code: 'E0705', slug: 'custom_language_model_disconnected' },
  /** Refused connection, DNS failure, reset, 5xx or 408. */
  unavailable: { code: 'E0714', slug: 'language_model_unavailable' },
  /** 401 / 403: the key is wrong or lacks access. */
  authFailed: { code: 'E0715', slug: 'language_model_auth_failed' },
  rateLimited: { code: 'E0716', slug: 'language_model_rate_limited' },
  /** No first token within PROSODIA_LLM_TIMEOUT_MS, or the whole answer took longer than its deadline. */
  timeout: { code: 'E0717', slug: 'language_model_timeout' },
  /** A stream we cannot read: not SSE, malformed chunks, too large, a redirect. */
  badResponse: { code: 'E0718', slug: 'language_model_bad_response' },
  /** The SSRF guard refused the URL (a non-public address not in PROSODIA_FETCH_ALLOW, a bad scheme). */
  urlForbidden: { code: 'E0719', slug: 'language_model_url_forbidden' },
  /** A model_provider Prosodia has no client for (AMAZON_BEDROCK). */
  unsupported: { code: 'E0720', slug: 'language_model_unsupported' },
  /** A hosted provider without a key in the environment or the session's language_model_api_key. */
  apiKeyMissing: { code: 'E0721', slug: 'language_model_api_key_missing' },
  /** Another 4xx: an unknown model, a request the provider will not take. */
  requestRejected: { code: 'E0722', slug: 'language_model_request_rejected' },
  /** Anything else: a bug on our side rather than the model's. */
  failed: { code: 'I0714', slug: 'language_model_failed' },
} as const satisfies Record<string, LlmErrorSpec>

export function llmError(spec: LlmErrorSpec, message: string): LlmError {
  return new LlmError(spec.code, spec.slug, message)
}

export interface ErrorContext {
  /** The model's label, to say which model failed. */
  label: string
  /** A custom language model: unreachable is Hume's E0705. */
  clm?: boolean
  /** Values never to repeat in a message (API keys), should a provider echo them. */
  secrets?: readonly (string | undefined)[]
}

/** Longest piece of a provider's own error text carried into ours. */
const PROVIDER_MESSAGE_CHARS = 300

/** Maps whatever a provider call threw (or streamed as an error part) to an LlmError. */
export function toLlmError(err: unknown, ctx: ErrorContext): LlmError {
  if (err instanceof LlmError) return err
  const unreachable = ctx.clm ? LLM_ERRORS.clmDisconnected : LLM_ERRORS.unavailable
  const say = (spec: LlmErrorSpec, text: string) => llmError(spec, redact(`${ctx.label}: ${text}`, ctx.secrets))

  const guard = findCause(err, SafeFetchError)
  if (guard) {
    switch (guard.reason) {
      case 'forbidden_address':
      case 'scheme':
      case 'invalid_url':
        return say(
          LLM_ERRORS.urlForbidden,
          `${guard.message}; the server does not call it (an operator can allow the host with PROSODIA_FETCH_ALLOW)`,
        )
      case 'dns':
      case 'network':
        return say(unreachable, `connection failed: ${guard.message}`)
      case 'timeout':
        return say(LLM_ERRORS.timeout, 'the answer took longer than its deadline')
      case 'too_large':
      case 'too_many_redirects':
        return say(LLM_ERRORS.badResponse, guard.message)
    }
  }

  if (APICallError.isInstance(err)) {
    const status = err.statusCode
    const detail = providerText(err.message)
    if (status === 401 || status === 403) {
      // The provider's own words can quote part of the key; the status says enough.
      return say(LLM_ERRORS.authFailed, `the model refused the API key (HTTP ${status})`)
    }
    if (status === 429) return say(LLM_ERRORS.rateLimited, `rate limited (HTTP 429): ${detail}`)
    if (status === 408 || (status !== undefined && status >= 500)) {
      return say(LLM_ERRORS.unavailable, `the model failed (HTTP ${status}): ${detail}`)
    }
    if (status !== undefined && status >= 400) {
      return say(LLM_ERRORS.requestRejected, `the model refused the request (HTTP ${status}): ${detail}`)
    }
    if (status === undefined) return say(unreachable, `cannot reach the model: ${detail}`)
    return say(LLM_ERRORS.badResponse, `unreadable answer (HTTP ${status}): ${detail}`)
  }

  if (
    err instanceof Error &&
    /^AI_(TypeValidation|JSONParse|InvalidResponseData|EmptyResponseBody)Error$/.test(err.name)
  ) {
    return say(LLM_ERRORS.badResponse, `unreadable answer: ${providerText(err.message)}`)
  }
  // A provider that streams an error object ({ error: { message } }) instead of failing the request.
  const streamed = streamedErrorMessage(err)
  if (streamed !== undefined)
    return say(LLM_ERRORS.badResponse, `the model reported an error: ${providerText(streamed)}`)

  const message = err instanceof Error ? err.message : String(err)
  return say(LLM_ERRORS.failed, `the language model call failed: ${providerText(message)}`)
}

function findCause<T extends Error>(err: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  const seen = new Set<unknown>()
  for (let e = err; e instanceof Error && !seen.has(e); e = e.cause) {
    if (e instanceof type) return e
    seen.add(e)
  }
  return undefined
}

function streamedErrorMessage(err: unknown): string | undefined {
  if (!err || typeof err !== 'object' || err instanceof Error) return undefined
  const e = err as { message?: unknown; error?: { message?: unknown } }
  if (typeof e.message === 'string') return e.message
  if (typeof e.error?.message === 'string') return e.error.message
  return JSON.stringify(err)
}

function providerText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > PROVIDER_MESSAGE_CHARS ? `${flat.slice(0, PROVIDER_MESSAGE_CHARS)}…` : flat
}

function redact(text: string, secrets: ErrorContext['secrets']): string {
  let out = text
  for (const s of secrets ?? []) if (s && s.length >= 4) out = out.split(s).join('[redacted]')
  return out
}
