/**
 * Prosodia's client against the real server: every method of empathicVoice.tools, .prompts and
 * .configs, with paging over several pages, camelCased results and the errors users branch on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BadRequestError, NotFoundError, Page, type ProsodiaClient } from '../../src/client/index.js'
import { startClientHarness, type ClientHarness, errorOf, collect } from '../helpers/client.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const PARAMS = JSON.stringify({ type: 'object', properties: { city: { type: 'string' } } })

describe('client: empathicVoice.tools, prompts, configs', () => {
  let h: ClientHarness
  let evi: ProsodiaClient['empathicVoice']
  let bob: ProsodiaClient['empathicVoice']
  beforeAll(async () => {
    h = await startClientHarness('sqlite', { domains: ['evi'] })
    evi = h.client.empathicVoice
    bob = h.clientAs('bob').empathicVoice
  })
  afterAll(() => h.close())

  it('tools: create, versions, get, describe, rename, delete, camelCased', async () => {
    const tool = await evi.tools.createTool({
      name: 'get_weather',
      parameters: PARAMS,
      description: 'The weather',
      fallbackContent: 'Unknown',
      versionDescription: 'first',
    })
    expect(tool).toEqual({
      toolType: 'FUNCTION',
      id: expect.stringMatching(UUID),
      version: 0,
      versionType: 'FIXED',
      versionDescription: 'first',
      name: 'get_weather',
      createdOn: expect.any(Number),
      modifiedOn: expect.any(Number),
      fallbackContent: 'Unknown',
      description: 'The weather',
      parameters: PARAMS,
    })
    const v1 = await evi.tools.createToolVersion(tool.id, { parameters: PARAMS, description: 'v1' })
    expect(v1).toMatchObject({ id: tool.id, version: 1, description: 'v1', name: 'get_weather' })
    expect(await evi.tools.getToolVersion(tool.id, 0)).toEqual(tool)

    const described = await evi.tools.updateToolDescription(tool.id, 1, { versionDescription: 'second' })
    expect(described).toMatchObject({ version: 1, versionDescription: 'second' })

    const { data, rawResponse } = await evi.tools.updateToolName(tool.id, { name: 'weather' }).withRawResponse()
    expect(typeof data).toBe('string')
    expect(rawResponse.status).toBe(200)
    const versions = await collect(await evi.tools.listToolVersions(tool.id))
    expect(versions.map((v) => [v.version, v.name])).toEqual([
      [1, 'weather'],
      [0, 'weather'],
    ])
    const latest = await evi.tools.listToolVersions(tool.id, { restrictToMostRecent: true })
    expect(latest.data.map((v) => v.version)).toEqual([1])
    expect(latest.response.toolsPage).toHaveLength(1)

    expect(await evi.tools.deleteToolVersion(tool.id, 1)).toBeUndefined()
    expect((await evi.tools.getToolVersion(tool.id, 0)).version).toBe(0)
    expect((await errorOf(evi.tools.getToolVersion(tool.id, 1))).statusCode).toBe(404)
    await evi.tools.deleteTool(tool.id)
    const gone = await errorOf(evi.tools.getToolVersion(tool.id, 0))
    expect(gone).toBeInstanceOf(NotFoundError)
  })

  it('tools: listTools pages with for await and iterPages; errors carry status and body', async () => {
    for (let i = 0; i < 5; i++) await evi.tools.createTool({ name: `paged_${i}`, parameters: PARAMS })
    const first = await evi.tools.listTools({ pageSize: 2, name: undefined })
    expect(first).toBeInstanceOf(Page)
    expect(first.data).toHaveLength(2)
    expect(first.response).toMatchObject({ pageNumber: 0, pageSize: 2, totalPages: 3 })
    expect(first.hasNextPage()).toBe(true)
    const names = (await collect(first)).map((t) => t.name)
    expect(names.filter((n) => n.startsWith('paged_')).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `paged_${i}`))
    const pages = await collect(first.iterPages())
    expect(pages.map((p) => p.response.pageNumber)).toEqual([0, 1, 2])
    expect(pages.at(-1)!.hasNextPage()).toBe(false)
    // Starting later skips the earlier pages.
    expect(await collect(await evi.tools.listTools({ pageSize: 2, pageNumber: 2 }))).toHaveLength(1)
    // A name filter reaches the server snake_cased.
    const byName = await evi.tools.listTools({ name: 'paged_3' })
    expect(byName.data.map((t) => t.name)).toEqual(['paged_3'])

    const bad = await errorOf(evi.tools.createTool({ name: 'x', parameters: '' }))
    expect(bad).toBeInstanceOf(BadRequestError)
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toMatchObject({ error: 'Bad Request', message: expect.stringContaining('parameters') })

    const mine = byName.data[0]!
    const theirs = await errorOf(bob.tools.getToolVersion(mine.id, 0))
    expect(theirs).toBeInstanceOf(NotFoundError)
    expect(theirs.statusCode).toBe(404)
    expect(theirs.body).toMatchObject({ code: 'not_found', error: 'Not Found' })
    expect((await errorOf(bob.tools.deleteTool(mine.id))).statusCode).toBe(404)
    expect((await collect(await bob.tools.listTools())).length).toBe(0)
  })

  it('prompts: every method; listPromptVersions is one page object, as in hume@0.16.0', async () => {
    const p = await evi.prompts.createPrompt({ name: 'Weather', text: 'v0', promptExpansion: { enabled: true } })
    expect(p).toMatchObject({ version: 0, versionType: 'FIXED', text: 'v0', promptExpansion: { enabled: true } })
    expect(p.versionDescription).toBeNull()
    for (let i = 1; i <= 4; i++)
      await evi.prompts.createPromptVersion(p.id, { text: `v${i}`, versionDescription: `d${i}` })
    expect(await evi.prompts.getPromptVersion(p.id, 2)).toMatchObject({ text: 'v2', versionDescription: 'd2' })

    const page = await evi.prompts.listPromptVersions(p.id, { pageSize: 2, pageNumber: 1 })
    expect(page).not.toBeInstanceOf(Page)
    expect(page).toMatchObject({ pageNumber: 1, pageSize: 2, totalPages: 3 })
    expect(page.promptsPage.map((x) => x.text)).toEqual(['v2', 'v1'])
    const recent = await evi.prompts.listPromptVersions(p.id, { restrictToMostRecent: true })
    expect(recent.promptsPage.map((x) => x.version)).toEqual([4])

    expect(await evi.prompts.updatePromptDescription(p.id, 0, { versionDescription: 'first' })).toMatchObject({
      version: 0,
      versionDescription: 'first',
    })
    expect(typeof (await evi.prompts.updatePromptName(p.id, { name: 'Renamed' }))).toBe('string')
    expect((await evi.prompts.getPromptVersion(p.id, 3)).name).toBe('Renamed')
    await evi.prompts.deletePromptVersion(p.id, 4)
    expect((await evi.prompts.listPromptVersions(p.id)).promptsPage.map((x) => x.version)).toEqual([3, 2, 1, 0])

    for (let i = 0; i < 3; i++) await evi.prompts.createPrompt({ name: `listed ${i}`, text: 't' })
    const listed = await evi.prompts.listPrompts({ pageSize: 1, restrictToMostRecent: true })
    const all = await collect(listed)
    expect(all.length).toBe(4)
    expect(all.find((x) => x.id === p.id)?.version).toBe(3)
    expect((await collect(listed.iterPages())).length).toBe(4)

    const bad = await errorOf(evi.prompts.createPrompt({ name: '', text: 't' }))
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toMatchObject({ message: expect.stringContaining('name') })
    expect((await errorOf(bob.prompts.listPromptVersions(p.id))).statusCode).toBe(404)
    expect((await errorOf(bob.prompts.updatePromptName(p.id, { name: 'x' }))).statusCode).toBe(404)

    await evi.prompts.deletePrompt(p.id)
    const gone = await errorOf(evi.prompts.getPromptVersion(p.id, 0))
    expect(gone).toBeInstanceOf(NotFoundError)
    expect(gone.body).toMatchObject({ code: 'not_found' })
  })

  it('configs: every method, with nested camelCase both ways', async () => {
    const prompt = await evi.prompts.createPrompt({ name: 'for config', text: 'Be kind.' })
    const config = await evi.configs.createConfig({
      name: 'Assistant',
      eviVersion: '3',
      prompt: { id: prompt.id, version: 0 },
      eventMessages: { onNewChat: { enabled: true, text: 'Hi!' } },
      timeouts: { inactivity: { enabled: true, durationSecs: 120 } },
      turnDetection: { endOfTurnSilenceMs: 900 },
    })
    expect(config).toMatchObject({
      id: expect.stringMatching(UUID),
      version: 0,
      eviVersion: '3',
      prompt: { id: prompt.id, text: 'Be kind.' },
      eventMessages: { onNewChat: { enabled: true, text: 'Hi!' } },
      timeouts: { inactivity: { enabled: true, durationSecs: 120 } },
      turnDetection: { endOfTurnSilenceMs: 900 },
      ellmModel: { allowShortResponses: expect.any(Boolean) },
    })
    const v1 = await evi.configs.createConfigVersion(config.id, { eviVersion: '3', nudges: { intervalSecs: 30 } })
    expect(v1).toMatchObject({ version: 1, name: 'Assistant', nudges: { intervalSecs: 30 } })
    expect(await evi.configs.getConfigVersion(config.id, 0)).toMatchObject({ version: 0, prompt: { id: prompt.id } })
    expect(await evi.configs.updateConfigDescription(config.id, 1, { versionDescription: 'nudging' })).toMatchObject({
      version: 1,
      versionDescription: 'nudging',
    })
    expect(typeof (await evi.configs.updateConfigName(config.id, { name: 'Renamed' }))).toBe('string')

    for (let i = 2; i <= 4; i++) await evi.configs.createConfigVersion(config.id, { eviVersion: '3' })
    const versions = await evi.configs.listConfigVersions(config.id, { pageSize: 2 })
    expect(versions.response.totalPages).toBe(3)
    expect((await collect(versions)).map((c) => c.version)).toEqual([4, 3, 2, 1, 0])
    expect((await collect(versions)).every((c) => c.name === 'Renamed')).toBe(true)

    await evi.configs.createConfig({ name: 'Other', eviVersion: '3' })
    const listed = await evi.configs.listConfigs({ pageSize: 1, restrictToMostRecent: true })
    expect((await collect(listed.iterPages())).map((p) => p.data.length)).toEqual([1, 1])
    expect((await collect(listed)).map((c) => c.name).sort()).toEqual(['Other', 'Renamed'])

    await evi.configs.deleteConfigVersion(config.id, 4)
    expect((await errorOf(evi.configs.getConfigVersion(config.id, 4))).statusCode).toBe(404)
    const bad = await errorOf(evi.configs.createConfig({ name: 'bad', eviVersion: '3', nudges: { intervalSecs: 0 } }))
    expect(bad).toBeInstanceOf(BadRequestError)
    expect(bad.body).toMatchObject({ message: expect.stringContaining('interval_secs') })
    expect((await errorOf(bob.configs.getConfigVersion(config.id, 0))).statusCode).toBe(404)
    expect((await errorOf(bob.configs.listConfigVersions(config.id))).statusCode).toBe(404)

    await evi.configs.deleteConfig(config.id)
    expect(await errorOf(evi.configs.getConfigVersion(config.id, 0))).toBeInstanceOf(NotFoundError)
  })
})
