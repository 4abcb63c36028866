import { Hume, HumeError } from 'hume'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dialects } from '../helpers/dialects.js'
import { defined, drain, startSdkHarness, type SdkHarness } from '../helpers/sdk.js'
import { expectExchangesOnWire } from '../helpers/wire.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const PARAMETERS = JSON.stringify({
  type: 'object',
  properties: {
    location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
    format: { type: 'string', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['location', 'format'],
})

describe.each(dialects())('hume SDK: empathicVoice.tools on %s', (dialect) => {
  let h: SdkHarness
  beforeAll(async () => {
    h = await startSdkHarness(dialect)
  })
  afterAll(() => h.t.close())
  afterEach(() => {
    expectExchangesOnWire(h.take())
  })

  const tools = () => h.evi.tools
  const newTool = async (name: string, parameters = PARAMETERS) =>
    defined(await tools().createTool({ name, parameters }))

  it('createTool answers a FUNCTION tool at version 0, and getToolVersion gives it back', async () => {
    const created = defined(
      await tools().createTool({
        name: 'get_current_weather',
        parameters: PARAMETERS,
        description: 'This tool is for getting the current weather.',
        fallbackContent: 'Unable to fetch current weather.',
        versionDescription: 'Fetches current weather.',
      }),
    )
    expect(created).toEqual({
      toolType: 'FUNCTION',
      id: expect.stringMatching(UUID),
      version: 0,
      versionType: 'FIXED',
      versionDescription: 'Fetches current weather.',
      name: 'get_current_weather',
      createdOn: expect.any(Number),
      modifiedOn: created.createdOn,
      fallbackContent: 'Unable to fetch current weather.',
      description: 'This tool is for getting the current weather.',
      parameters: PARAMETERS,
    })
    expect(await tools().getToolVersion(created.id, 0)).toEqual(created)
  })

  it('leaves out description and fallback content when not given', async () => {
    const t = await newTool('bare_tool')
    expect(t.description).toBeUndefined()
    expect(t.fallbackContent).toBeUndefined()
    expect(t.versionDescription).toBeUndefined()
  })

  it('createToolVersion adds the next version; listToolVersions pages through all of them', async () => {
    const t = await newTool('versioned_tool')
    for (let i = 1; i <= 11; i++) {
      const v = defined(await tools().createToolVersion(t.id, { parameters: PARAMETERS, description: `v${i}` }))
      expect(v).toMatchObject({ id: t.id, version: i, name: 'versioned_tool', description: `v${i}` })
    }
    h.take()
    const versions = await drain(await tools().listToolVersions(t.id, { pageSize: 5 }))
    expect(versions.map((v) => v?.version)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    const requests = h.take()
    expect(requests.map((x) => new URLSearchParams(x.query).get('page_number') ?? '0')).toEqual(['0', '1', '2', '3'])
    expectExchangesOnWire(requests)

    const latest = await drain(await tools().listToolVersions(t.id, { restrictToMostRecent: true }))
    expect(latest.map((v) => v?.version)).toEqual([11])
  })

  it('updateToolDescription changes only that version', async () => {
    const t = await newTool('described_tool')
    await tools().createToolVersion(t.id, { parameters: PARAMETERS, versionDescription: 'keep' })
    const updated = defined(await tools().updateToolDescription(t.id, 0, { versionDescription: 'described' }))
    expect(updated).toMatchObject({ id: t.id, version: 0, parameters: PARAMETERS, versionDescription: 'described' })
    expect(updated.modifiedOn).toBeGreaterThan(t.modifiedOn)
    expect((await tools().getToolVersion(t.id, 1))?.versionDescription).toBe('keep')
  })

  it('updateToolName renames every version and answers a string', async () => {
    const t = await newTool('old_name')
    await tools().createToolVersion(t.id, { parameters: PARAMETERS })
    expect(typeof (await tools().updateToolName(t.id, { name: 'new_name' }))).toBe('string')
    const versions = await drain(await tools().listToolVersions(t.id))
    expect(versions.map((v) => v?.name)).toEqual(['new_name', 'new_name'])
  })

  it('deleteToolVersion removes one version, deleteTool all of them', async () => {
    const t = await newTool('doomed_tool')
    await tools().createToolVersion(t.id, { parameters: PARAMETERS })
    expect(await tools().deleteToolVersion(t.id, 1)).toBeUndefined()
    await expect(tools().getToolVersion(t.id, 1)).rejects.toMatchObject({ statusCode: 404 })
    expect((await tools().getToolVersion(t.id, 0))?.version).toBe(0)
    expect(await tools().deleteTool(t.id)).toBeUndefined()
    await expect(tools().getToolVersion(t.id, 0)).rejects.toMatchObject({ statusCode: 404 })
    await expect(tools().deleteTool(t.id)).rejects.toBeInstanceOf(HumeError)
  })

  it('listTools pages with for await through all 25 tools and stops at the empty page', async () => {
    const name = `paged_${dialect}`
    const ids = []
    for (let i = 0; i < 25; i++) ids.push((await newTool(name)).id)
    h.take()
    const first = await tools().listTools({ name, pageSize: 10 })
    expect(first.response).toMatchObject({ pageNumber: 0, pageSize: 10, totalPages: 3 })
    const listed = await drain(first)
    expect(listed.map((t) => t?.id)).toEqual([...ids].reverse())
    const requests = h.take()
    expect(requests.map((x) => (JSON.parse(x.text) as { tools_page: unknown[] }).tools_page.length)).toEqual([
      10, 10, 5, 0,
    ])
    expectExchangesOnWire(requests)
  })

  it('rejects parameters that are not a JSON Schema object with BadRequestError', async () => {
    for (const parameters of ['not json', '[1, 2]', '{"type": 5}']) {
      const err = await tools()
        .createTool({ name: 'broken', parameters })
        .catch((e: unknown) => e)
      expect(err, parameters).toBeInstanceOf(Hume.empathicVoice.BadRequestError)
      expect((err as HumeError).body, parameters).toMatchObject({ message: expect.stringContaining('parameters') })
    }
  })
})
