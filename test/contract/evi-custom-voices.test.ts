import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dialects } from '../helpers/dialects.js'
import { startSdkHarness, type SdkHarness } from '../helpers/sdk.js'
import { expectSameKeys, expectWire, FERN_CUSTOM_VOICES } from '../helpers/wire.js'
import { serialization } from 'hume'

// Custom voices left the SDKs with EVI 3 (2025-07), so this suite speaks plain HTTP, checked against
// the legacy Fern definition's ReturnCustomVoice (see test/fixtures/README.md).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MODEL = '20241004-11parameter'
const ALL_PARAMETERS = {
  gender: 10,
  assertiveness: -20,
  buoyancy: 30,
  confidence: -40,
  enthusiasm: 50,
  nasality: -60,
  relaxedness: 70,
  smoothness: -80,
  tepidity: 90,
  tightness: -100,
}

interface CustomVoice {
  id: string
  version: number
  name: string
  created_on: number
  modified_on: number
  base_voice: string
  parameter_model: string
  parameters: Record<string, number>
}
interface PagedCustomVoices {
  page_number: number
  page_size: number
  total_pages: number
  custom_voices_page: CustomVoice[]
}

/** The legacy definition's ReturnCustomVoice, field by field. */
function expectCustomVoice(body: unknown): asserts body is CustomVoice {
  expect(body).toEqual({
    id: expect.stringMatching(UUID),
    version: expect.any(Number),
    name: expect.any(String),
    created_on: expect.any(Number),
    modified_on: expect.any(Number),
    base_voice: expect.stringMatching(/^(ITO|KORA|DACHER|AURA|FINN|WHIMSY|STELLA|SUNNY)$/),
    parameter_model: MODEL,
    parameters: expect.any(Object),
  })
  const { parameters } = body as CustomVoice
  for (const [key, value] of Object.entries(parameters)) {
    expect(Object.keys(ALL_PARAMETERS), key).toContain(key)
    expect(Number.isInteger(value) && value >= -100 && value <= 100, `${key}: ${value}`).toBe(true)
  }
}

function example(key: string): unknown {
  const found = FERN_CUSTOM_VOICES[key]
  if (!found) throw new Error(`no example for ${key}`)
  return found.body
}

describe.each(dialects())('custom voices over plain HTTP on %s', (dialect) => {
  let h: SdkHarness
  beforeAll(async () => {
    h = await startSdkHarness(dialect)
  })
  afterAll(() => h.t.close())

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; res: Response }> {
    const res = await h.fetchAs(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    expect(res.headers.get('x-request-id')).toBeTruthy()
    return { status: res.status, res }
  }
  async function json<T>(method: string, path: string, status: number, body?: unknown): Promise<T> {
    const { status: got, res } = await call(method, path, body)
    const text = await res.text()
    expect(got, text).toBe(status)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    return JSON.parse(text) as T
  }
  const create = (name: string, extra: Record<string, unknown> = {}) =>
    json<CustomVoice>('POST', '/v0/evi/custom_voices', 201, {
      name,
      base_voice: 'ITO',
      parameter_model: MODEL,
      ...extra,
    })

  it('POST creates version 0 with an upper-cased name and the keys of Hume’s example', async () => {
    const v = await create('sample voice', { parameters: ALL_PARAMETERS })
    expectCustomVoice(v)
    expect(v).toMatchObject({ version: 0, name: 'SAMPLE VOICE', base_voice: 'ITO', parameters: ALL_PARAMETERS })
    expect(v.modified_on).toBe(v.created_on)
    expectSameKeys(v, example('POST /v0/evi/custom_voices'))
  })

  it('leaves out parameters at their default of 0', async () => {
    const v = await create('quiet', { parameters: { gender: 0, buoyancy: 5 } })
    expect(v.parameters).toEqual({ buoyancy: 5 })
    expect((await create('plain')).parameters).toEqual({})
  })

  it('GET /:id answers the newest version', async () => {
    const v = await create('getter', { parameters: ALL_PARAMETERS })
    const got = await json<CustomVoice>('GET', `/v0/evi/custom_voices/${v.id}`, 200)
    expect(got).toEqual(v)
    expectSameKeys(got, example('GET /v0/evi/custom_voices/{id}'))
  })

  it('POST /:id adds the next version, which GET /:id then answers', async () => {
    const v = await create('evolving')
    const v1 = await json<CustomVoice>('POST', `/v0/evi/custom_voices/${v.id}`, 201, {
      name: 'evolving',
      base_voice: 'KORA',
      parameter_model: MODEL,
      parameters: ALL_PARAMETERS,
    })
    expectCustomVoice(v1)
    expect(v1).toMatchObject({ id: v.id, version: 1, name: 'EVOLVING', base_voice: 'KORA' })
    expectSameKeys(v1, example('POST /v0/evi/custom_voices/{id}'))
    expect(await json<CustomVoice>('GET', `/v0/evi/custom_voices/${v.id}`, 200)).toEqual(v1)
  })

  it('PATCH /:id renames (upper-cased) and answers an empty body', async () => {
    const v = await create('before')
    const { status, res } = await call('PATCH', `/v0/evi/custom_voices/${v.id}`, { name: 'after rename' })
    expect(status).toBe(200)
    expect(await res.text()).toBe('')
    expect((await json<CustomVoice>('GET', `/v0/evi/custom_voices/${v.id}`, 200)).name).toBe('AFTER RENAME')
  })

  it('DELETE /:id removes every version', async () => {
    const v = await create('doomed')
    await json('POST', `/v0/evi/custom_voices/${v.id}`, 201, {
      name: 'doomed',
      base_voice: 'ITO',
      parameter_model: MODEL,
    })
    const { status, res } = await call('DELETE', `/v0/evi/custom_voices/${v.id}`)
    expect(status).toBe(200)
    expect(await res.text()).toBe('')
    const gone = await json<unknown>('GET', `/v0/evi/custom_voices/${v.id}`, 404)
    expectWire(serialization.empathicVoice.ErrorResponse, gone)
    expect(gone).toEqual({ code: 'not_found', error: 'Not Found', message: expect.stringContaining(v.id) })
  })

  it('GET pages through all 25 voices, newest first, to an empty page past the end', async () => {
    const name = `paged ${dialect}`
    const ids = []
    for (let i = 0; i < 25; i++) ids.push((await create(name)).id)
    const seen: string[] = []
    const sizes: number[] = []
    for (let page = 0; ; page++) {
      const body = await json<PagedCustomVoices>(
        'GET',
        `/v0/evi/custom_voices?name=${encodeURIComponent(name.toUpperCase())}&page_size=10&page_number=${page}`,
        200,
      )
      expect(body).toMatchObject({ page_number: page, page_size: 10, total_pages: 3 })
      body.custom_voices_page.forEach(expectCustomVoice)
      expectSameKeys(body, example('GET /v0/evi/custom_voices'), { opaque: ['parameters'] })
      sizes.push(body.custom_voices_page.length)
      seen.push(...body.custom_voices_page.map((v) => v.id))
      if (body.custom_voices_page.length === 0) break
    }
    expect(sizes).toEqual([10, 10, 5, 0])
    expect(seen).toEqual([...ids].reverse())
  })

  it('lists only the newest version of each voice', async () => {
    const name = `latest only ${dialect}`
    const v = await create(name)
    await json('POST', `/v0/evi/custom_voices/${v.id}`, 201, { name, base_voice: 'AURA', parameter_model: MODEL })
    const body = await json<PagedCustomVoices>(
      'GET',
      `/v0/evi/custom_voices?name=${encodeURIComponent(name.toUpperCase())}`,
      200,
    )
    expect(body.custom_voices_page.map((x) => [x.id, x.version, x.base_voice])).toEqual([[v.id, 1, 'AURA']])
  })
})
