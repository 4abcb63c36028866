import { APICallError, TypeValidationError } from 'ai'
import { describe, expect, it } from 'vitest'
import { SafeFetchError, type FetchFailure } from '../../../shared/net/safe-fetch.js'
import { LLM_ERRORS, toLlmError } from './llm.errors.js'
import { LlmError } from './llm.types.js'

const ctx = { label: 'openai:gpt-4o', secrets: ['sk-secret-key'] }

function http(status: number | undefined, message = 'provider says no'): APICallError {
  return new APICallError({
    message,
    url: 'https://api.example/v1/chat/completions',
    requestBodyValues: {},
    ...(status && { statusCode: status }),
  })
}

describe('toLlmError', () => {
  it.each([
    [401, LLM_ERRORS.authFailed],
    [403, LLM_ERRORS.authFailed],
    [429, LLM_ERRORS.rateLimited],
    [408, LLM_ERRORS.unavailable],
    [500, LLM_ERRORS.unavailable],
    [502, LLM_ERRORS.unavailable],
    [400, LLM_ERRORS.requestRejected],
    [404, LLM_ERRORS.requestRejected],
    [422, LLM_ERRORS.requestRejected],
  ])('maps HTTP %i', (status, spec) => {
    const err = toLlmError(http(status), ctx)
    expect(err).toBeInstanceOf(LlmError)
    expect({ code: err.code, slug: err.slug }).toEqual(spec)
    expect(err.message).toContain('openai:gpt-4o')
    expect(err.message).toContain(String(status))
  })

  it("keeps a provider's explanation for a rejected request, but not for a refused key", () => {
    expect(toLlmError(http(404, 'The model `gpt-9` does not exist'), ctx).message).toContain('`gpt-9` does not exist')
    expect(toLlmError(http(401, 'Incorrect API key provided: sk-secr****'), ctx).message).not.toContain('sk-secr')
  })

  it('redacts the API key wherever a provider echoes it', () => {
    const err = toLlmError(http(400, 'bad key sk-secret-key in request'), ctx)
    expect(err.message).not.toContain('sk-secret-key')
    expect(err.message).toContain('[redacted]')
  })

  it('caps how much provider text it carries', () => {
    expect(toLlmError(http(400, 'x'.repeat(5000)), ctx).message.length).toBeLessThan(500)
  })

  it.each<[FetchFailure, { code: string; slug: string }]>([
    ['forbidden_address', LLM_ERRORS.urlForbidden],
    ['scheme', LLM_ERRORS.urlForbidden],
    ['invalid_url', LLM_ERRORS.urlForbidden],
    ['dns', LLM_ERRORS.unavailable],
    ['network', LLM_ERRORS.unavailable],
    ['timeout', LLM_ERRORS.timeout],
    ['too_large', LLM_ERRORS.badResponse],
    ['too_many_redirects', LLM_ERRORS.badResponse],
  ])('maps the SSRF-guarded fetch failing with %s, however deeply the SDK wrapped it', (reason, spec) => {
    const guard = new SafeFetchError(reason, `failed: ${reason}`)
    for (const thrown of [guard, http(undefined, 'Cannot connect to API'), new Error('outer', { cause: guard })]) {
      if (thrown instanceof APICallError) Object.defineProperty(thrown, 'cause', { value: guard })
      const err = toLlmError(thrown, ctx)
      expect({ code: err.code, slug: err.slug }).toEqual(spec)
    }
  })

  it("uses Hume's E0705 for a custom language model it cannot reach", () => {
    const err = toLlmError(new SafeFetchError('network', 'ECONNREFUSED'), { label: 'clm', clm: true })
    expect(err).toMatchObject({ code: 'E0705', slug: 'custom_language_model_disconnected' })
    expect(toLlmError(http(undefined, 'Cannot connect'), { label: 'clm', clm: true }).code).toBe('E0705')
    // A CLM that answers with an error status is reachable: the generic codes apply.
    expect(toLlmError(http(401), { label: 'clm', clm: true }).code).toBe('E0715')
  })

  it('maps unreadable streams and streamed error objects to bad_response', () => {
    const invalid = new TypeValidationError({ value: { choices: 1 }, cause: new Error('expected array') })
    expect(toLlmError(invalid, ctx).slug).toBe('language_model_bad_response')
    expect(toLlmError({ message: 'overloaded' }, ctx)).toMatchObject({ slug: 'language_model_bad_response' })
    expect(toLlmError({ error: { message: 'quota' } }, ctx).message).toContain('quota')
  })

  it('passes LlmErrors through and calls anything else our own failure', () => {
    const mine = new LlmError('E0717', 'language_model_timeout', 'slow')
    expect(toLlmError(mine, ctx)).toBe(mine)
    expect(toLlmError(new RangeError('oops'), ctx)).toMatchObject({ code: 'I0714', slug: 'language_model_failed' })
  })
})
