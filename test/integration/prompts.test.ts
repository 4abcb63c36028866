import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'

describe.each(dialects())('prompts on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect, { domains: ['evi'] })
  })
  afterAll(() => t.close())

  const post = (url: string, body: unknown, who: 'alice' | 'bob' = 'alice') =>
    t.app.inject({ method: 'POST', url, payload: body as object, headers: t.auth(who) })
  const get = (url: string, who: 'alice' | 'bob' = 'alice') =>
    t.app.inject({ method: 'GET', url, headers: t.auth(who) })

  it('creates version 0, then the next versions, immutable but for the description', async () => {
    const created = await post('/v0/evi/prompts', { name: 'Weather', text: 'You are a weather bot.' })
    expect(created.statusCode).toBe(201)
    const p = created.json()
    expect(p).toMatchObject({
      version: 0,
      version_type: 'FIXED',
      name: 'Weather',
      text: 'You are a weather bot.',
      version_description: null,
    })
    expect(p.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(p.created_on).toBeGreaterThan(Date.now() - 60_000)

    const v1 = await post(`/v0/evi/prompts/${p.id}`, { text: 'v1', version_description: 'second' })
    expect(v1.statusCode).toBe(201)
    expect(v1.json()).toMatchObject({
      id: p.id,
      version: 1,
      name: 'Weather',
      text: 'v1',
      version_description: 'second',
    })

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/v0/evi/prompts/${p.id}/version/0`,
      payload: { version_description: 'first' },
      headers: t.auth(),
    })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ version: 0, text: 'You are a weather bot.', version_description: 'first' })

    const versions = await get(`/v0/evi/prompts/${p.id}`)
    expect(versions.json().prompts_page.map((x: { version: number }) => x.version)).toEqual([1, 0])
  })

  it('renames every version and answers text/plain', async () => {
    const p = (await post('/v0/evi/prompts', { name: 'Old', text: 't' })).json()
    await post(`/v0/evi/prompts/${p.id}`, { text: 't2' })
    const r = await t.app.inject({
      method: 'PATCH',
      url: `/v0/evi/prompts/${p.id}`,
      payload: { name: 'New' },
      headers: t.auth(),
    })
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toMatch(/^text\/plain/)
    const versions = (await get(`/v0/evi/prompts/${p.id}`)).json().prompts_page
    expect(versions.map((v: { name: string }) => v.name)).toEqual(['New', 'New'])
  })

  it('deletes one version, then all', async () => {
    const p = (await post('/v0/evi/prompts', { name: 'Del', text: 't' })).json()
    await post(`/v0/evi/prompts/${p.id}`, { text: 't2' })
    const d0 = await t.app.inject({ method: 'DELETE', url: `/v0/evi/prompts/${p.id}/version/0`, headers: t.auth() })
    expect(d0.statusCode).toBe(200)
    expect((await get(`/v0/evi/prompts/${p.id}/version/0`)).statusCode).toBe(404)
    expect((await get(`/v0/evi/prompts/${p.id}/version/1`)).statusCode).toBe(200)
    const d = await t.app.inject({ method: 'DELETE', url: `/v0/evi/prompts/${p.id}`, headers: t.auth() })
    expect(d.statusCode).toBe(200)
    expect((await get(`/v0/evi/prompts/${p.id}`)).statusCode).toBe(404)
  })

  it('lists the most recent version of each by default, filters by name, pages past the end', async () => {
    const name = `Paged-${dialect}`
    const a = (await post('/v0/evi/prompts', { name, text: 'a' })).json()
    await post(`/v0/evi/prompts/${a.id}`, { text: 'a1' })
    await post('/v0/evi/prompts', { name, text: 'b' })
    const latest = (await get(`/v0/evi/prompts?name=${name}`)).json()
    expect(latest.prompts_page).toHaveLength(2)
    expect(latest.total_pages).toBe(1)
    const all = (await get(`/v0/evi/prompts?name=${name}&restrict_to_most_recent=false&page_size=2`)).json()
    expect(all.prompts_page).toHaveLength(2)
    expect(all.total_pages).toBe(2)
    const past = await get(`/v0/evi/prompts?name=${name}&page_number=7`)
    expect(past.statusCode).toBe(200)
    expect(past.json()).toMatchObject({ page_number: 7, total_pages: 1, prompts_page: [] })
  })

  it('keeps accounts apart: 404 for the other account, never listed', async () => {
    const p = (await post('/v0/evi/prompts', { name: 'Secret', text: 's' })).json()
    expect((await get(`/v0/evi/prompts/${p.id}`, 'bob')).statusCode).toBe(404)
    expect((await get(`/v0/evi/prompts/${p.id}/version/0`, 'bob')).statusCode).toBe(404)
    expect((await post(`/v0/evi/prompts/${p.id}`, { text: 'x' }, 'bob')).statusCode).toBe(404)
    const listed = (await get('/v0/evi/prompts?name=Secret', 'bob')).json()
    expect(listed.prompts_page).toEqual([])
  })
})
