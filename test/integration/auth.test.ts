import type { LightMyRequestResponse } from 'fastify'
import { HumeClient, HumeError } from 'hume'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { expectError } from '../helpers/evi-routes.js'

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

function tokenRequest(t: TestApp, authorization: string | undefined, form = 'grant_type=client_credentials') {
  return t.app.inject({
    method: 'POST',
    url: '/oauth2-cc/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization === undefined ? {} : { authorization }),
    },
    payload: form,
  })
}

async function tokenFor(t: TestApp, who: 'alice' | 'bob'): Promise<string> {
  const account = who === 'alice' ? t.alice : t.bob
  const res = await tokenRequest(t, basic(account.api_key, account.secret_key))
  expect(res.statusCode, res.body).toBe(200)
  return (res.json() as { access_token: string }).access_token
}

const listPrompts = (t: TestApp, authorization: string): Promise<LightMyRequestResponse> =>
  t.app.inject({ method: 'GET', url: '/v0/evi/prompts?page_size=100', headers: { authorization } })

const promptNames = (res: LightMyRequestResponse) =>
  (res.json() as { prompts_page: { name: string }[] }).prompts_page.map((p) => p.name)

describe.each(dialects())('auth on %s', (dialect) => {
  describe('client-credentials tokens', () => {
    let t: TestApp
    let baseUrl: string
    beforeAll(async () => {
      t = await createTestApp(dialect, { config: { tokenTtlSeconds: 900 }, domains: ['evi'] })
      baseUrl = await listen(t.app)
      for (const who of ['alice', 'bob'] as const) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v0/evi/prompts',
          headers: t.auth(who),
          payload: { name: `${who}'s prompt`, text: 'hi' },
        })
        expect(res.statusCode).toBe(201)
      }
    })
    afterAll(() => t.close())

    it('POST /oauth2-cc/token with Basic api_key:secret_key answers a Bearer token and its lifetime', async () => {
      const res = await tokenRequest(t, basic(t.alice.api_key, t.alice.secret_key))
      expect(res.statusCode, res.body).toBe(200)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      expect(res.json()).toEqual({
        access_token: expect.stringMatching(/^\S{32,}$/),
        token_type: 'Bearer',
        expires_in: 900,
      })
    })

    it('issues a new token each time', async () => {
      expect(await tokenFor(t, 'alice')).not.toBe(await tokenFor(t, 'alice'))
    })

    it('the token authenticates as its own account (Authorization: Bearer)', async () => {
      const alices = await listPrompts(t, `Bearer ${await tokenFor(t, 'alice')}`)
      expect(alices.statusCode).toBe(200)
      expect(promptNames(alices)).toEqual(["alice's prompt"])
      const bobs = await listPrompts(t, `bearer ${await tokenFor(t, 'bob')}`)
      expect(promptNames(bobs)).toEqual(["bob's prompt"])
    })

    it.each([
      ['a wrong secret', () => basic(t.alice.api_key, t.bob.secret_key)],
      ['an unknown API key', () => basic('no-such-key', t.alice.secret_key)],
      ['an empty secret', () => basic(t.alice.api_key, '')],
      ['no colon in the Basic credentials', () => `Basic ${Buffer.from(t.alice.api_key).toString('base64')}`],
      ['no Authorization header', () => undefined],
      ['a Bearer header instead of Basic', () => `Bearer ${t.alice.api_key}`],
    ])('refuses %s with 401', async (_what, authorization) => {
      expectError(await tokenRequest(t, authorization()), 401, { code: 'unauthorized' })
    })

    it.each([
      ['a wrong grant_type', 'grant_type=password'],
      ['no grant_type', ''],
      ['an empty grant_type', 'grant_type='],
    ])('refuses %s with 400', async (_what, form) => {
      const res = await tokenRequest(t, basic(t.alice.api_key, t.alice.secret_key), form)
      expectError(res, 400, { code: 'bad_request', mentions: 'grant_type' })
    })

    it.each([
      ['an unknown token', 'Bearer not-a-real-token'],
      ['the API key as a token', () => `Bearer ${t.alice.api_key}`],
      ['the secret key as a token', () => `Bearer ${t.alice.secret_key}`],
    ])('refuses %s on the API with 401', async (_what, header) => {
      const res = await listPrompts(t, typeof header === 'string' ? header : header())
      expectError(res, 401, { code: 'unauthorized', mentions: /invalid/i })
    })

    it('the official SDK authenticates with accessToken', async () => {
      const client = new HumeClient({ accessToken: await tokenFor(t, 'alice'), environment: baseUrl, maxRetries: 0 })
      const page = await client.empathicVoice.prompts.listPrompts()
      expect(page.data.map((p) => p?.name)).toEqual(["alice's prompt"])
      const created = await client.empathicVoice.prompts.createPrompt({ name: 'via token', text: 't' })
      expect(created?.version).toBe(0)
    })

    it('the official SDK gets a 401 HumeError for a bad accessToken', async () => {
      const client = new HumeClient({ accessToken: 'not-a-real-token', environment: baseUrl, maxRetries: 0 })
      const err = await client.empathicVoice.prompts.listPrompts().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(HumeError)
      expect(err).toMatchObject({ statusCode: 401, body: { code: 'unauthorized' } })
    })
  })

  // The token store reads Date.now; a fake Date (timers stay real) moves time without waiting.
  describe('token expiry', () => {
    const TTL = 60
    const START = new Date('2030-01-01T00:00:00Z').getTime()
    let t: TestApp
    beforeAll(async () => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(START)
      t = await createTestApp(dialect, { config: { tokenTtlSeconds: TTL }, domains: ['evi'] })
    })
    afterAll(async () => {
      await t.close()
      vi.useRealTimers()
    })

    it('a token works until its expires_in has passed, then answers 401', async () => {
      vi.setSystemTime(START)
      const issued = await tokenRequest(t, basic(t.alice.api_key, t.alice.secret_key))
      expect(issued.json()).toMatchObject({ expires_in: TTL })
      const bearer = `Bearer ${(issued.json() as { access_token: string }).access_token}`

      vi.setSystemTime(START + TTL * 1000 - 1)
      expect((await listPrompts(t, bearer)).statusCode).toBe(200)

      vi.setSystemTime(START + TTL * 1000)
      expectError(await listPrompts(t, bearer), 401, { code: 'unauthorized', mentions: /invalid/i })

      // The API key itself never expires, and a fresh token works again.
      expect((await t.app.inject({ method: 'GET', url: '/v0/evi/prompts', headers: t.auth() })).statusCode).toBe(200)
      expect((await listPrompts(t, `Bearer ${await tokenFor(t, 'alice')}`)).statusCode).toBe(200)
    })

    it('an expired token stays refused after newer tokens are issued', async () => {
      vi.setSystemTime(START + 10 * TTL * 1000)
      const old = `Bearer ${await tokenFor(t, 'bob')}`
      vi.setSystemTime(START + 12 * TTL * 1000)
      await tokenFor(t, 'bob')
      expectError(await listPrompts(t, old), 401, { code: 'unauthorized' })
    })
  })
})
