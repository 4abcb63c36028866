// A config's model_resource may be a URL for CUSTOM_LANGUAGE_MODEL (its endpoint, SSRF-guarded when
// called), and only for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../helpers/app.js'

describe('EVI configs: a custom language model by URL', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp('sqlite', { domains: ['evi'] })
  })
  afterAll(() => t.close())

  const post = (language_model: object) =>
    t.app.inject({
      method: 'POST',
      url: '/v0/evi/configs',
      headers: t.auth(),
      payload: { name: `c${Math.random()}`, evi_version: '3', language_model },
    })

  it('keeps the URL for CUSTOM_LANGUAGE_MODEL', async () => {
    const res = await post({
      model_provider: 'CUSTOM_LANGUAGE_MODEL',
      model_resource: 'https://clm.example/v1/chat/completions',
    })
    expect(res.statusCode).toBe(201)
    expect(res.json().language_model.model_resource).toBe('https://clm.example/v1/chat/completions')
  })

  it('refuses a URL for any other provider', async () => {
    const res = await post({ model_provider: 'OPEN_AI', model_resource: 'https://example.com/model' })
    expect(res.statusCode).toBe(400)
    expect(res.json().message).toMatch(/only for model_provider CUSTOM_LANGUAGE_MODEL/)
  })
})
