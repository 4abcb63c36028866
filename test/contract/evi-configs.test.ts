import { Hume, HumeError } from 'hume'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dialects } from '../helpers/dialects.js'
import { defined, drain, startSdkHarness, type SdkHarness } from '../helpers/sdk.js'
import { expectExchangesOnWire } from '../helpers/wire.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const TEXT = '<role>You are an AI weather assistant.</role>'
const PARAMETERS = '{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}'

describe.each(dialects())('hume SDK: empathicVoice.configs on %s', (dialect) => {
  let h: SdkHarness
  beforeAll(async () => {
    h = await startSdkHarness(dialect)
  })
  afterAll(() => h.t.close())
  afterEach(() => {
    expectExchangesOnWire(h.take())
  })

  const configs = () => h.evi.configs
  const newPrompt = async (name = 'Weather Assistant Prompt') =>
    defined(await h.evi.prompts.createPrompt({ name, text: TEXT }))
  /** ReturnConfig types every field as optional; the id is always there. */
  const newConfig = async (request: Hume.empathicVoice.PostedConfig) => {
    const config = await configs().createConfig(request)
    return { ...config, id: defined(config.id) }
  }
  const newTool = async (name = 'get_current_weather') =>
    defined(await h.evi.tools.createTool({ name, parameters: PARAMETERS }))

  it('createConfig with every section answers it expanded, and getConfigVersion gives it back', async () => {
    const prompt = await newPrompt()
    const tool = await newTool()
    const config = await newConfig({
      name: 'Weather Assistant Config',
      eviVersion: '3',
      versionDescription: 'first',
      prompt: { id: prompt.id, version: 0 },
      voice: { provider: 'HUME_AI', name: 'ITO' },
      languageModel: { modelProvider: 'ANTHROPIC', modelResource: 'claude-3-7-sonnet-latest', temperature: 1 },
      ellmModel: { allowShortResponses: false },
      tools: [{ id: tool.id }],
      builtinTools: [{ name: 'web_search', fallbackContent: 'Search is down.' }, { name: 'hang_up' }],
      eventMessages: {
        onNewChat: { enabled: true, text: 'Hello!' },
        onInactivityTimeout: { enabled: false },
        onMaxDurationTimeout: { enabled: true, text: 'Time is up.' },
      },
      timeouts: { inactivity: { enabled: true, durationSecs: 120 }, maxDuration: { enabled: false } },
      nudges: { enabled: false, intervalSecs: 30 },
      turnDetection: { endOfTurnSilenceMs: 800, prefixPaddingMs: 200, speechDetectionThreshold: 0.5 },
      interruption: { minInterruptionMs: 300 },
      webhooks: [{ url: 'https://example.com/hooks/evi', events: ['chat_started', 'chat_ended'] }],
    })
    expect(config).toEqual({
      id: expect.stringMatching(UUID),
      version: 0,
      versionDescription: 'first',
      name: 'Weather Assistant Config',
      createdOn: expect.any(Number),
      modifiedOn: config.createdOn,
      eviVersion: '3',
      prompt: { ...prompt, versionType: 'FIXED' },
      voice: { id: expect.stringMatching(UUID), name: 'ITO', provider: 'HUME_AI' },
      languageModel: { modelProvider: 'ANTHROPIC', modelResource: 'claude-3-7-sonnet-latest', temperature: 1 },
      ellmModel: { allowShortResponses: false },
      tools: [{ ...tool, versionType: 'LATEST' }],
      builtinTools: [
        { toolType: 'BUILTIN', name: 'web_search', fallbackContent: 'Search is down.' },
        { toolType: 'BUILTIN', name: 'hang_up' },
      ],
      eventMessages: {
        onNewChat: { enabled: true, text: 'Hello!' },
        onInactivityTimeout: { enabled: false },
        onMaxDurationTimeout: { enabled: true, text: 'Time is up.' },
      },
      timeouts: {
        inactivity: { enabled: true, durationSecs: 120 },
        maxDuration: { enabled: false, durationSecs: 1800 },
      },
      nudges: { enabled: false, intervalSecs: 30 },
      turnDetection: { endOfTurnSilenceMs: 800, prefixPaddingMs: 200, speechDetectionThreshold: 0.5 },
      interruption: { minInterruptionMs: 300 },
      webhooks: [{ url: 'https://example.com/hooks/evi', events: ['chat_started', 'chat_ended'] }],
    })
    expect(await configs().getConfigVersion(config.id, 0)).toEqual(config)
  })

  it('fills Hume’s defaults for a config with only a name and an EVI version', async () => {
    const config = await newConfig({ name: 'Bare', eviVersion: '3' })
    expect(config).toMatchObject({
      version: 0,
      eviVersion: '3',
      tools: [],
      builtinTools: [],
      webhooks: [],
      ellmModel: { allowShortResponses: true },
      timeouts: {
        inactivity: { enabled: true, durationSecs: 600 },
        maxDuration: { enabled: true, durationSecs: 1800 },
      },
      nudges: { enabled: true },
    })
    for (const absent of ['prompt', 'voice', 'languageModel', 'turnDetection', 'interruption'] as const) {
      expect(config[absent], absent).toBeUndefined()
    }
  })

  it('turns an inline prompt text into a prompt of its own, pinned at version 0', async () => {
    const config = await newConfig({ name: 'Inline', eviVersion: '3', prompt: { text: 'Be brief.' } })
    const prompt = defined(config.prompt)
    expect(prompt).toMatchObject({ version: 0, versionType: 'FIXED', text: 'Be brief.' })
    expect((await h.evi.prompts.getPromptVersion(prompt.id, 0))?.text).toBe('Be brief.')
  })

  it('follows the newest version of a prompt referenced without a version (LATEST)', async () => {
    const p = await newPrompt('Moving prompt')
    const latest = await newConfig({ name: 'Follows', eviVersion: '3', prompt: { id: p.id } })
    const fixed = await newConfig({ name: 'Pinned', eviVersion: '3', prompt: { id: p.id, version: 0 } })
    await h.evi.prompts.createPromptVersion(p.id, { text: 'newer text' })
    expect((await configs().getConfigVersion(latest.id, 0)).prompt).toMatchObject({
      version: 1,
      versionType: 'LATEST',
      text: 'newer text',
    })
    expect((await configs().getConfigVersion(fixed.id, 0)).prompt).toMatchObject({ version: 0, versionType: 'FIXED' })
  })

  it('names a custom voice (made with plain fetch) as a CUSTOM_VOICE', async () => {
    const res = await h.fetchAs('/v0/evi/custom_voices', {
      method: 'POST',
      body: JSON.stringify({ name: 'narrator', base_voice: 'KORA', parameter_model: '20241004-11parameter' }),
    })
    expect(res.status).toBe(201)
    const voice = (await res.json()) as { id: string }
    const config = await newConfig({
      name: 'Custom voiced',
      eviVersion: '3',
      voice: { name: 'NARRATOR', provider: 'CUSTOM_VOICE' },
    })
    expect(config.voice).toEqual({ id: voice.id, name: 'NARRATOR', provider: 'CUSTOM_VOICE' })
  })

  it('createConfigVersion adds the next version; listConfigVersions pages through all of them', async () => {
    const c = await newConfig({ name: 'Versioned config', eviVersion: '3' })
    for (let i = 1; i <= 6; i++) {
      const v = await configs().createConfigVersion(c.id, { eviVersion: '3', versionDescription: `v${i}` })
      expect(v).toMatchObject({ id: c.id, version: i, name: 'Versioned config', versionDescription: `v${i}` })
    }
    h.take()
    const versions = await drain(await configs().listConfigVersions(c.id, { pageSize: 4 }))
    expect(versions.map((v) => v.version)).toEqual([6, 5, 4, 3, 2, 1, 0])
    expect(h.take().map((x) => new URLSearchParams(x.query).get('page_number') ?? '0')).toEqual(['0', '1', '2'])
    const latest = await drain(await configs().listConfigVersions(c.id, { restrictToMostRecent: true }))
    expect(latest.map((v) => v.version)).toEqual([6])
  })

  it('updateConfigDescription changes only that version; updateConfigName renames all', async () => {
    const c = await newConfig({ name: 'Before', eviVersion: '3' })
    await configs().createConfigVersion(c.id, { eviVersion: '3', versionDescription: 'keep' })
    const updated = await configs().updateConfigDescription(c.id, 0, { versionDescription: 'described' })
    expect(updated).toMatchObject({ id: c.id, version: 0, versionDescription: 'described', name: 'Before' })
    expect((await configs().getConfigVersion(c.id, 1)).versionDescription).toBe('keep')

    expect(typeof (await configs().updateConfigName(c.id, { name: 'After' }))).toBe('string')
    const versions = await drain(await configs().listConfigVersions(c.id))
    expect(versions.map((v) => v.name)).toEqual(['After', 'After'])
  })

  it('deleteConfigVersion removes one version, deleteConfig all of them', async () => {
    const c = await newConfig({ name: 'Doomed config', eviVersion: '3' })
    await configs().createConfigVersion(c.id, { eviVersion: '3' })
    expect(await configs().deleteConfigVersion(c.id, 0)).toBeUndefined()
    await expect(configs().getConfigVersion(c.id, 0)).rejects.toMatchObject({ statusCode: 404 })
    expect((await configs().getConfigVersion(c.id, 1)).version).toBe(1)
    expect(await configs().deleteConfig(c.id)).toBeUndefined()
    await expect(configs().getConfigVersion(c.id, 1)).rejects.toMatchObject({ statusCode: 404 })
    await expect(configs().deleteConfig(c.id)).rejects.toBeInstanceOf(HumeError)
  })

  it('stays readable by the SDK after the tool it names is deleted', async () => {
    const tool = await newTool('short_lived')
    const c = await newConfig({ name: 'Orphaned', eviVersion: '3', tools: [{ id: tool.id, version: 0 }] })
    await h.evi.tools.deleteTool(tool.id)
    const again = await configs().getConfigVersion(c.id, 0)
    expect(again.id).toBe(c.id)
    expect(again.tools).toHaveLength(1)
  })

  it('listConfigs pages with for await through all 25 configs and stops at the empty page', async () => {
    const name = `Paged config ${dialect}`
    const ids = []
    for (let i = 0; i < 25; i++) ids.push((await newConfig({ name, eviVersion: '3' })).id)
    h.take()
    const first = await configs().listConfigs({ name, pageSize: 10 })
    expect(first.response).toMatchObject({ pageNumber: 0, pageSize: 10, totalPages: 3 })
    const listed = await drain(first)
    expect(listed.map((c) => c.id)).toEqual([...ids].reverse())
    const requests = h.take()
    expect(requests.map((x) => (JSON.parse(x.text) as { configs_page: unknown[] }).configs_page.length)).toEqual([
      10, 10, 5, 0,
    ])
    expectExchangesOnWire(requests)
  })

  it('rejects references to a prompt, tool or voice that does not exist with BadRequestError', async () => {
    const missing = '00000000-0000-4000-8000-000000000000'
    const attempts: [string, Hume.empathicVoice.PostedConfig][] = [
      ['Prompt', { name: 'x', eviVersion: '3', prompt: { id: missing } }],
      ['Tool', { name: 'x', eviVersion: '3', tools: [{ id: missing }] }],
      ['Voice', { name: 'x', eviVersion: '3', voice: { name: 'NO SUCH VOICE' } }],
    ]
    for (const [what, request] of attempts) {
      const err = await configs()
        .createConfig(request)
        .catch((e: unknown) => e)
      expect(err, what).toBeInstanceOf(Hume.empathicVoice.BadRequestError)
      expect((err as HumeError).body, what).toMatchObject({
        code: 'bad_request',
        message: expect.stringContaining(what),
      })
    }
  })
})
