import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { client } from '../helpers/http.js'

describe.each(dialects())('custom voices on %s', (dialect) => {
  let t: TestApp
  let api: ReturnType<typeof client>
  beforeAll(async () => {
    t = await createTestApp(dialect, { domains: ['evi'] })
    api = client(t)
  })
  afterAll(() => t.close())

  const posted = { name: 'sample voice', base_voice: 'KORA', parameter_model: '20241004-11parameter' }

  it('upper-cases names, leaves default parameters out, versions and renames', async () => {
    const r = await api.post('/v0/evi/custom_voices', {
      ...posted,
      parameters: { gender: -40, nasality: 0, tightness: 100 },
    })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      name: 'SAMPLE VOICE',
      version: 0,
      base_voice: 'KORA',
      parameters: { gender: -40, tightness: 100 },
    })
    expect(r.body.parameters).not.toHaveProperty('nasality')

    const v1 = await api.post(`/v0/evi/custom_voices/${r.body.id}`, { ...posted, name: 'renamed', base_voice: 'ITO' })
    expect(v1.status).toBe(201)
    expect(v1.body).toMatchObject({ id: r.body.id, version: 1, name: 'RENAMED', base_voice: 'ITO', parameters: {} })

    const got = await api.get(`/v0/evi/custom_voices/${r.body.id}`)
    expect(got.body).toMatchObject({ version: 1, name: 'RENAMED' })

    expect((await api.patch(`/v0/evi/custom_voices/${r.body.id}`, { name: 'third name' })).status).toBe(200)
    expect((await api.get(`/v0/evi/custom_voices?name=THIRD%20NAME`)).body.custom_voices_page).toHaveLength(1)

    expect((await api.del(`/v0/evi/custom_voices/${r.body.id}`)).status).toBe(200)
    expect((await api.get(`/v0/evi/custom_voices/${r.body.id}`)).status).toBe(404)
  })

  it.each([
    ['a name over 75 characters', { ...posted, name: 'x'.repeat(76) }],
    ['an unknown base voice', { ...posted, base_voice: 'NOBODY' }],
    ['another parameter model', { ...posted, parameter_model: '2023' }],
    ['a parameter above 100', { ...posted, parameters: { gender: 101 } }],
    ['a parameter below -100', { ...posted, parameters: { buoyancy: -101 } }],
    ['a fractional parameter', { ...posted, parameters: { buoyancy: 1.5 } }],
  ])('refuses %s', async (_what, body) => {
    const r = await api.post('/v0/evi/custom_voices', body)
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ code: 'validation_error' })
  })
})
