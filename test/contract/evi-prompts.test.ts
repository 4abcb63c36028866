import { Hume, HumeError } from 'hume'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dialects } from '../helpers/dialects.js'
import { defined, drain, startSdkHarness, type SdkHarness } from '../helpers/sdk.js'
import { expectExchangesOnWire } from '../helpers/wire.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const TEXT = '<role>You are an AI weather assistant providing users with accurate weather information.</role>'

describe.each(dialects())('hume SDK: empathicVoice.prompts on %s', (dialect) => {
  let h: SdkHarness
  beforeAll(async () => {
    h = await startSdkHarness(dialect)
  })
  afterAll(() => h.t.close())
  // Every response the SDK received in the test must also pass the strict wire checks.
  afterEach(() => {
    expectExchangesOnWire(h.take())
  })

  const prompts = () => h.evi.prompts
  const newPrompt = async (name: string, text = TEXT) => defined(await prompts().createPrompt({ name, text }))

  it('createPrompt answers version 0, and getPromptVersion gives back the same prompt', async () => {
    const created = defined(
      await prompts().createPrompt({ name: 'Weather Assistant Prompt', text: TEXT, versionDescription: 'first' }),
    )
    expect(created).toEqual({
      id: expect.stringMatching(UUID),
      version: 0,
      versionType: 'FIXED',
      versionDescription: 'first',
      name: 'Weather Assistant Prompt',
      createdOn: expect.any(Number),
      modifiedOn: created.createdOn,
      text: TEXT,
    })
    expect(await prompts().getPromptVersion(created.id, 0)).toEqual(created)
  })

  it('createPromptVersion adds the next version; listPromptVersions lists them newest first', async () => {
    const p = await newPrompt('Versioned')
    const v1 = defined(await prompts().createPromptVersion(p.id, { text: 'v1', versionDescription: 'second' }))
    expect(v1).toMatchObject({ id: p.id, version: 1, name: 'Versioned', text: 'v1', versionDescription: 'second' })
    const v2 = defined(await prompts().createPromptVersion(p.id, { text: 'v2' }))
    expect(v2.version).toBe(2)
    expect(v2.versionDescription).toBeUndefined()

    const all = await prompts().listPromptVersions(p.id)
    expect(all.promptsPage.map((x) => x?.version)).toEqual([2, 1, 0])
    expect(all.promptsPage.map((x) => x?.text)).toEqual(['v2', 'v1', TEXT])
    expect(all).toMatchObject({ pageNumber: 0, pageSize: 10, totalPages: 1 })

    const latest = await prompts().listPromptVersions(p.id, { restrictToMostRecent: true })
    expect(latest.promptsPage.map((x) => x?.version)).toEqual([2])

    // listPromptVersions is not a pager in the SDK: page by hand, to the empty page past the end.
    const pages = []
    for (let pageNumber = 0; pageNumber < 4; pageNumber++) {
      const page = await prompts().listPromptVersions(p.id, { pageNumber, pageSize: 2 })
      pages.push(page.promptsPage.map((x) => x?.version))
      expect(page.totalPages).toBe(2)
    }
    expect(pages).toEqual([[2, 1], [0], [], []])
  })

  it('updatePromptDescription changes only that version, and clears it when omitted', async () => {
    const p = await newPrompt('Described')
    await prompts().createPromptVersion(p.id, { text: 'v1', versionDescription: 'keep' })
    const updated = defined(await prompts().updatePromptDescription(p.id, 0, { versionDescription: 'now described' }))
    expect(updated).toMatchObject({ id: p.id, version: 0, text: TEXT, versionDescription: 'now described' })
    expect(updated.modifiedOn).toBeGreaterThan(p.modifiedOn)
    expect(updated.createdOn).toBe(p.createdOn)
    expect((await prompts().getPromptVersion(p.id, 1))?.versionDescription).toBe('keep')

    const cleared = defined(await prompts().updatePromptDescription(p.id, 0))
    expect(cleared.versionDescription).toBeUndefined()
  })

  it('updatePromptName renames every version and answers a string', async () => {
    const p = await newPrompt('Old name')
    await prompts().createPromptVersion(p.id, { text: 'v1' })
    const answer = await prompts().updatePromptName(p.id, { name: 'New name' })
    expect(typeof answer).toBe('string')
    const versions = await prompts().listPromptVersions(p.id)
    expect(versions.promptsPage.map((x) => x?.name)).toEqual(['New name', 'New name'])
  })

  it('deletePromptVersion removes one version, deletePrompt all of them', async () => {
    const p = await newPrompt('Doomed')
    await prompts().createPromptVersion(p.id, { text: 'v1' })
    expect(await prompts().deletePromptVersion(p.id, 0)).toBeUndefined()
    await expect(prompts().getPromptVersion(p.id, 0)).rejects.toMatchObject({ statusCode: 404 })
    expect((await prompts().getPromptVersion(p.id, 1))?.text).toBe('v1')

    expect(await prompts().deletePrompt(p.id)).toBeUndefined()
    await expect(prompts().listPromptVersions(p.id)).rejects.toMatchObject({ statusCode: 404 })
    await expect(prompts().deletePrompt(p.id)).rejects.toBeInstanceOf(HumeError)
  })

  it('listPrompts pages with for await through all 25 prompts and stops at the empty page', async () => {
    const name = `Paged ${dialect}`
    const ids = []
    for (let i = 0; i < 25; i++) ids.push((await newPrompt(name, `prompt ${i}`)).id)
    h.take() // only the list requests below matter here

    const first = await prompts().listPrompts({ name, pageSize: 10 })
    expect(first.data).toHaveLength(10)
    expect(first.response).toMatchObject({ pageNumber: 0, pageSize: 10, totalPages: 3 })
    const listed = await drain(first)
    expect(listed.map((p) => p?.id)).toEqual([...ids].reverse())

    const requests = h.take()
    expect(requests.map((x) => `${x.method} ${x.path}`)).toEqual(Array(4).fill('GET /v0/evi/prompts'))
    expect(requests.map((x) => new URLSearchParams(x.query).get('page_number') ?? '0')).toEqual(['0', '1', '2', '3'])
    expect(requests.map((x) => (JSON.parse(x.text) as { prompts_page: unknown[] }).prompts_page.length)).toEqual([
      10, 10, 5, 0,
    ])
    expectExchangesOnWire(requests)
  })

  it('listPrompts shows the newest version of each, or every version when not restricted', async () => {
    const name = `Most recent ${dialect}`
    const a = await newPrompt(name, 'a0')
    await prompts().createPromptVersion(a.id, { text: 'a1' })
    const b = await newPrompt(name, 'b0')
    const recent = await drain(await prompts().listPrompts({ name }))
    expect(recent.map((p) => [p?.id, p?.version])).toEqual([
      [b.id, 0],
      [a.id, 1],
    ])
    const all = await drain(await prompts().listPrompts({ name, restrictToMostRecent: false }))
    expect(all.map((p) => [p?.id, p?.version])).toEqual([
      [b.id, 0],
      [a.id, 1],
      [a.id, 0],
    ])
  })

  it('round-trips promptExpansion, which the SDK can send on a prompt', async () => {
    const p = defined(
      await prompts().createPrompt({ name: 'Expanded', text: TEXT, promptExpansion: { enabled: false } }),
    )
    expect(p.promptExpansion).toEqual({ enabled: false })
    const v1 = defined(await prompts().createPromptVersion(p.id, { text: 'v1', promptExpansion: { enabled: true } }))
    expect(v1.promptExpansion).toEqual({ enabled: true })
    expect((await prompts().getPromptVersion(p.id, 0))?.promptExpansion).toEqual({ enabled: false })
  })

  it('surfaces validation failures as BadRequestError with Hume’s error body', async () => {
    const err = await prompts()
      .createPrompt({ name: '', text: TEXT })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Hume.empathicVoice.BadRequestError)
    const { statusCode, body } = err as HumeError
    expect(statusCode).toBe(400)
    expect(body).toEqual({ code: 'validation_error', error: 'Bad Request', message: expect.stringContaining('name') })
  })
})
