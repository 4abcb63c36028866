// Requests Fastify itself refuses (bad URLs, over-long path parameters) and bodies declared in
// another charset answer in the API's error shape, never echoing what was sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'

describe('HTTP edges', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp('sqlite', { domains: ['evi', 'expression'] })
  })
  afterAll(() => t.close())

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.auth() })

  it('answers an over-long path parameter with 414 in the API shape, without the URL', async () => {
    const res = await get(`/v0/batch/jobs/${'a'.repeat(300)}`)
    expect(res.statusCode).toBe(414)
    expect(res.json()).toEqual({ code: 'bad_request', error: 'URI Too Long', message: 'A path parameter is too long' })
    expect(res.body).not.toContain('aaaa')
  })

  it('answers a malformed escape in the URL with 400 in the API shape', async () => {
    const res = await get('/v0/evi/prompts/%zz')
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'bad_request', message: 'The URL is not valid' })
  })

  it('refuses a JSON body declared in another charset than UTF-8 (415)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v0/evi/prompts',
      payload: '{"name":"x","text":"y"}',
      headers: { ...t.auth(), 'content-type': 'application/json; charset=utf-16' },
    })
    expect(res.statusCode).toBe(415)
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v0/evi/prompts',
      payload: '{"name":"x","text":"y"}',
      headers: { ...t.auth(), 'content-type': 'application/json; charset="UTF-8"' },
    })
    expect(ok.statusCode).toBe(201)
  })
})
