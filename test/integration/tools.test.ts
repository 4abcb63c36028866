import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { client } from '../helpers/http.js'

const weather = JSON.stringify({
  type: 'object',
  properties: { location: { type: 'string' }, format: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
  required: ['location'],
})

describe.each(dialects())('tools on %s', (dialect) => {
  let t: TestApp
  let api: ReturnType<typeof client>
  beforeAll(async () => {
    t = await createTestApp(dialect, { domains: ['evi'] })
    api = client(t)
  })
  afterAll(() => t.close())

  it('creates a FUNCTION tool at version 0 and versions it', async () => {
    const r = await api.post('/v0/evi/tools', {
      name: 'get_current_weather',
      parameters: weather,
      description: 'Fetches the weather',
      fallback_content: 'Unable to fetch the weather.',
    })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      tool_type: 'FUNCTION',
      version: 0,
      version_type: 'FIXED',
      name: 'get_current_weather',
      parameters: weather,
      description: 'Fetches the weather',
      fallback_content: 'Unable to fetch the weather.',
    })
    const v1 = await api.post(`/v0/evi/tools/${r.body.id}`, { parameters: weather, version_description: 'no fallback' })
    expect(v1.status).toBe(201)
    // A new version is whole: fields it leaves out are not inherited.
    expect(v1.body).toMatchObject({
      version: 1,
      fallback_content: null,
      description: null,
      version_description: 'no fallback',
    })
    expect((await api.get(`/v0/evi/tools/${r.body.id}/version/0`)).body.fallback_content).toBe(
      'Unable to fetch the weather.',
    )
  })

  it.each([
    ['not JSON', '{type: object'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"object"'],
    ['not a JSON Schema', '{"type": "banana"}'],
  ])('refuses parameters that are %s', async (_what, parameters) => {
    const r = await api.post('/v0/evi/tools', { name: 'bad', parameters })
    expect(r.status).toBe(400)
    expect(r.body.message).toContain('parameters')
  })

  it('restrict_to_most_recent=false lists every version', async () => {
    const name = `versions-${dialect}`
    const a = (await api.post('/v0/evi/tools', { name, parameters: weather })).body
    await api.post(`/v0/evi/tools/${a.id}`, { parameters: weather })
    await api.post(`/v0/evi/tools/${a.id}`, { parameters: weather })
    expect(
      (await api.get(`/v0/evi/tools?name=${name}`)).body.tools_page.map((x: { version: number }) => x.version),
    ).toEqual([2])
    const all = await api.get(`/v0/evi/tools?name=${name}&restrict_to_most_recent=false`)
    expect(all.body.tools_page.map((x: { version: number }) => x.version)).toEqual([2, 1, 0])
    const latestOnly = await api.get(`/v0/evi/tools/${a.id}?restrict_to_most_recent=true`)
    expect(latestOnly.body.tools_page).toHaveLength(1)
  })
})
