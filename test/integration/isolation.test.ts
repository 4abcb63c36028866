import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import {
  call,
  EVI_ROUTES,
  expectError,
  PARAMETER_MODEL,
  routeLabel,
  routeUrl,
  seed,
  type EviRoute,
  type Resource,
} from '../helpers/evi-routes.js'

const cases = (pick: (r: EviRoute) => boolean) =>
  EVI_ROUTES.filter(pick).map((r) => [routeLabel(r), r] as [string, EviRoute])

const pageKey = (resource: Resource) => `${resource}_page`
const itemIds = (res: LightMyRequestResponse, resource: Resource): string[] =>
  ((res.json() as Record<string, { id: string }[]>)[pageKey(resource)] ?? []).map((x) => x.id)

describe.each(dialects())('account isolation on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect, { domains: ['evi'] })
  })
  afterAll(() => t.close())

  /** Everything alice can read about one resource: every version, or a custom voice's latest. */
  async function aliceView(resource: Resource, id: string) {
    const url = resource === 'custom_voices' ? `/v0/evi/${resource}/${id}` : `/v0/evi/${resource}/${id}?page_size=100`
    const res = await call(t, 'GET', url)
    return { status: res.statusCode, body: res.json() as unknown }
  }

  it('the route table is exactly the 33 EVI prompt, tool, config and custom voice routes the app serves', () => {
    const spec = t.app.swagger() as { paths: Record<string, Record<string, unknown>> }
    const served = Object.entries(spec.paths)
      .filter(([path]) => /^\/v0\/evi\/(prompts|tools|configs|custom_voices)(\/|$)/.test(path))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    expect(served.sort()).toEqual(EVI_ROUTES.map(routeLabel).sort())
    expect(EVI_ROUTES).toHaveLength(33)
  })

  it.each(cases((r) => r.path.includes('{id}')))(
    '%s: bob gets 404 for alice’s id, and nothing of hers changes',
    async (_label, route) => {
      const id = await seed(t, route.resource)
      const before = await aliceView(route.resource, id)
      expect(before.status).toBe(200)

      const url = routeUrl(route, { id, version: 0 })
      const asBob = await call(t, route.method, url, { who: 'bob', body: route.body })
      expectError(asBob, 404, { code: 'not_found', mentions: id })
      expect(await aliceView(route.resource, id)).toEqual(before)

      // The same request as alice succeeds: bob's 404 came from ownership alone.
      const asAlice = await call(t, route.method, url, { body: route.body })
      expect(asAlice.statusCode, asAlice.body).toBe(route.ok)
    },
  )

  it.each(cases((r) => r.op === 'list'))('%s: bob’s list never shows alice’s items', async (_label, route) => {
    const name = `ALICE ONLY ${route.resource}`.toUpperCase()
    const hers = await seed(t, route.resource, 'alice', name)
    const his = await seed(t, route.resource, 'bob')
    const everything =
      route.resource === 'custom_voices' ? 'page_size=100' : 'page_size=100&restrict_to_most_recent=false'

    const bobs = await call(t, 'GET', routeUrl(route, {}, everything), { who: 'bob' })
    expect(bobs.statusCode).toBe(200)
    expect(itemIds(bobs, route.resource)).toContain(his)
    expect(itemIds(bobs, route.resource)).not.toContain(hers)

    const byName = await call(t, 'GET', routeUrl(route, {}, `name=${encodeURIComponent(name)}`), { who: 'bob' })
    expect(byName.json()).toMatchObject({ total_pages: 0, [pageKey(route.resource)]: [] })

    const alices = await call(t, 'GET', routeUrl(route, {}, `name=${encodeURIComponent(name)}`))
    expect(itemIds(alices, route.resource)).toEqual([hers])
    expect(itemIds(await call(t, 'GET', routeUrl(route, {}, everything)), route.resource)).not.toContain(his)
  })

  it.each(cases((r) => r.op === 'create'))('%s: what bob creates is his alone', async (_label, route) => {
    const res = await call(t, 'POST', route.path, { who: 'bob', body: route.body })
    expect(res.statusCode, res.body).toBe(201)
    const id = (res.json() as { id: string }).id
    expectError(await call(t, 'GET', `${route.path}/${id}`), 404, { code: 'not_found' })
    expect((await call(t, 'GET', `${route.path}/${id}`, { who: 'bob' })).statusCode).toBe(200)
    expect(itemIds(await call(t, 'GET', `${route.path}?page_size=100`), route.resource)).not.toContain(id)
  })

  it('bob cannot build a config on alice’s prompt, tool or custom voice', async () => {
    const prompt = await seed(t, 'prompts')
    const tool = await seed(t, 'tools')
    const voiceName = 'ALICE VOICE'
    const voice = await seed(t, 'custom_voices', 'alice', voiceName)
    const bobsConfig = await seed(t, 'configs', 'bob')
    const alicesConfig = await seed(t, 'configs')
    const refs: [string, Record<string, unknown>][] = [
      ['Prompt', { prompt: { id: prompt } }],
      ['Prompt', { prompt: { id: prompt, version: 0 } }],
      ['Tool', { tools: [{ id: tool }] }],
      ['Tool', { tools: [{ id: tool, version: 1 }] }],
      ['Voice', { voice: { id: voice } }],
      ['Voice', { voice: { id: voice, provider: 'CUSTOM_VOICE' } }],
      ['Voice', { voice: { name: voiceName } }],
    ]
    for (const [what, ref] of refs) {
      const body = { name: 'Borrowed', evi_version: '3', ...ref }
      expectError(await call(t, 'POST', '/v0/evi/configs', { who: 'bob', body }), 400, { mentions: what })
      expectError(await call(t, 'POST', `/v0/evi/configs/${bobsConfig}`, { who: 'bob', body }), 400, { mentions: what })
      // Alice may: the references are good, only not bob's.
      expect((await call(t, 'POST', '/v0/evi/configs', { body })).statusCode).toBe(201)
      expect((await call(t, 'POST', `/v0/evi/configs/${alicesConfig}`, { body })).statusCode).toBe(201)
    }
  })

  it('a custom voice name is per account: bob may reuse alice’s', async () => {
    const body = { name: 'SHARED NAME', base_voice: 'ITO', parameter_model: PARAMETER_MODEL }
    const hers = (await call(t, 'POST', '/v0/evi/custom_voices', { body })).json() as { id: string }
    const his = (await call(t, 'POST', '/v0/evi/custom_voices', { who: 'bob', body })).json() as { id: string }
    expect(his.id).not.toBe(hers.id)
    const config = await call(t, 'POST', '/v0/evi/configs', {
      who: 'bob',
      body: { name: 'Mine', evi_version: '3', voice: { name: 'SHARED NAME', provider: 'CUSTOM_VOICE' } },
    })
    expect(config.statusCode, config.body).toBe(201)
    expect((config.json() as { voice: { id: string } }).voice.id).toBe(his.id)
  })
})
