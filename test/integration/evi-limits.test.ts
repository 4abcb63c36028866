// An EVI config repeats its prompt and every tool it lists in full, so its expanded size is
// bounded when it is written (PROSODIA_EVI_MAX_CONFIG_BYTES), and a list page is sized from the
// stored rows before it is built (PROSODIA_MAX_PAGE_BYTES): the finding was a 93 KB tool listed
// 100 times by each of 40 configs, a 435 MB page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { client } from '../helpers/http.js'

/** Valid JSON-schema `parameters` of about `bytes` bytes. */
const parameters = (bytes: number) =>
  JSON.stringify({ type: 'object', properties: { note: { type: 'string', description: 'x'.repeat(bytes) } } })

describe.each(dialects())('EVI size limits on %s', (dialect) => {
  let t: TestApp
  let api: ReturnType<typeof client>
  beforeAll(async () => {
    t = await createTestApp(dialect, {
      domains: ['evi'],
      config: { limits: { eviConfigBytes: 512 * 1024, pageBytes: 1024 * 1024 } },
    })
    api = client(t)
  })
  afterAll(() => t.close())

  it('refuses at write time a config whose expansion would pass the limit, creating nothing', async () => {
    const tool = (await api.post('/v0/evi/tools', { name: 'big', parameters: parameters(93 * 1024) })).body
    const before = (await api.get('/v0/evi/prompts')).body.total_pages
    const res = await api.post('/v0/evi/configs', {
      name: 'Too big',
      evi_version: '3',
      prompt: { text: 'An inline prompt that must not be created when the config is refused.' },
      tools: Array.from({ length: 100 }, () => ({ id: tool.id })),
    })
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ code: 'bad_request' })
    expect(res.body.message).toMatch(/would be \d+ bytes once its prompt and tools are expanded; the limit is 524288/)
    expect((await api.get('/v0/evi/configs')).body.configs_page).toEqual([])
    expect((await api.get('/v0/evi/prompts')).body.total_pages).toBe(before)
    // Five mentions fit.
    const ok = await api.post('/v0/evi/configs', {
      name: 'Fits',
      evi_version: '3',
      tools: Array.from({ length: 5 }, () => ({ id: tool.id })),
    })
    expect(ok.status).toBe(201)
    await api.del(`/v0/evi/configs/${ok.body.id}`)
  })

  it('refuses a page that tools grown after the fact would make too large, and serves smaller pages', async () => {
    const tool = (await api.post('/v0/evi/tools', { name: 'grows', parameters: parameters(1024) })).body
    for (let i = 0; i < 10; i++) {
      const r = await api.post('/v0/evi/configs', {
        name: `Grows ${i}`,
        evi_version: '3',
        tools: Array.from({ length: 4 }, () => ({ id: tool.id })), // unpinned: follows LATEST
      })
      expect(r.status).toBe(201)
    }
    expect((await api.get('/v0/evi/configs?page_size=10')).status).toBe(200)
    // The tool grows to ~90 KB: each config now expands to ~360 KB, ten of them to ~3.6 MB.
    expect((await api.post(`/v0/evi/tools/${tool.id}`, { parameters: parameters(90 * 1024) })).status).toBe(201)
    const page = await api.get('/v0/evi/configs?page_size=10')
    expect(page.status).toBe(400)
    expect(page.body.message).toMatch(/limit is 1048576 \(PROSODIA_MAX_PAGE_BYTES\)\. Ask for a smaller page_size/)
    const small = await api.get('/v0/evi/configs?page_size=2')
    expect(small.status).toBe(200)
    expect(small.body.configs_page).toHaveLength(2)
    expect(small.body.configs_page[0].tools).toHaveLength(4)
  })

  it('always serves a page of one config, however large its references have grown', async () => {
    const tool = (await api.post('/v0/evi/tools', { name: 'swells', parameters: parameters(100) })).body
    const config = (
      await api.post('/v0/evi/configs', {
        name: 'Swells',
        evi_version: '3',
        tools: Array.from({ length: 12 }, () => ({ id: tool.id })),
      })
    ).body
    expect((await api.post(`/v0/evi/tools/${tool.id}`, { parameters: parameters(95 * 1024) })).status).toBe(201)
    // ~1.2 MB expanded, over the 1 MB page limit: alone it is served, with a neighbour it is not.
    const one = await api.get(`/v0/evi/configs/${config.id}/version/0`)
    expect(one.status).toBe(200)
    expect(one.body.tools).toHaveLength(12)
    expect((await api.get('/v0/evi/configs?page_size=1')).status).toBe(200)
    expect((await api.get(`/v0/evi/configs/${config.id}?page_size=1`)).status).toBe(200)
  })

  it('answers 400, not a stack overflow, for JSON nested 6,000 levels deep in language_model', async () => {
    const deep = '{"x":'.repeat(6000) + '1' + '}'.repeat(6000)
    const res = await t.app.inject({
      method: 'POST',
      url: '/v0/evi/configs',
      headers: { ...t.auth(), 'content-type': 'application/json' },
      payload: `{"name":"deep","evi_version":"3","language_model":${deep}}`,
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'bad_request' })
    expect(res.json().message).toMatch(/nested more than 32 levels deep/)
  })
})
