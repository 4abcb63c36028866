/**
 * Prosodia's client against the real server: client.tts.voices (list as a pager over several pages,
 * create from generations, delete), other accounts' voices, and the 404/422 errors users branch on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError, Page, UnprocessableEntityError, type ProsodiaClient, type tts } from '../../src/client/index.js'
import { startClientHarness, type ClientHarness, errorOf, collect } from '../helpers/client.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('client: tts.voices', () => {
  let h: ClientHarness
  let voices: ProsodiaClient['tts']['voices']
  let bob: ProsodiaClient['tts']['voices']
  let generationIds: string[]
  beforeAll(async () => {
    h = await startClientHarness('sqlite', { domains: ['tts'] })
    voices = h.client.tts.voices
    bob = h.clientAs('bob').tts.voices
    const r = await h.client.tts.synthesizeJson({
      utterances: [{ text: 'Hi.', description: 'a calm narrator' }],
      numGenerations: 3,
      format: { type: 'pcm' },
    })
    generationIds = r.generations.map((g) => g.generationId)
  })
  afterAll(() => h.close())

  it('create: three voices from three generations, camelCased', async () => {
    const created: tts.ReturnVoice[] = []
    for (const [i, generationId] of generationIds.entries())
      created.push(await voices.create({ generationId, name: `Narrator ${i}` }))
    for (const [i, v] of created.entries()) {
      expect(v).toEqual({
        id: expect.stringMatching(UUID) as string,
        name: `Narrator ${i}`,
        provider: 'CUSTOM_VOICE',
        compatibleOctaveModels: expect.any(Array) as string[],
      })
    }
  })

  it('list: for await walks every page (pageSize 2), iterPages gives the pages', async () => {
    const first = await voices.list({ provider: 'CUSTOM_VOICE', pageSize: 2, ascendingOrder: true })
    expect(first).toBeInstanceOf(Page)
    expect(first.data.map((v) => v.name)).toEqual(['Narrator 0', 'Narrator 1'])
    expect(first.response).toMatchObject({ pageNumber: 0, pageSize: 2, totalPages: 2 })
    expect(first.hasNextPage()).toBe(true)

    const all = await collect(first)
    expect(all.map((v) => v.name)).toEqual(['Narrator 0', 'Narrator 1', 'Narrator 2'])
    const pages = await collect(first.iterPages())
    expect(pages.map((p) => p.data.length)).toEqual([2, 1])
    expect(pages[1]!.response.pageNumber).toBe(1)
    expect(pages[1]!.hasNextPage()).toBe(false)

    // Starting elsewhere, and newest first by default.
    const second = await voices.list({ provider: 'CUSTOM_VOICE', pageSize: 2, pageNumber: 1 })
    expect(second.data.map((v) => v.name)).toEqual(['Narrator 0'])
    const newest = await collect(await voices.list({ provider: 'CUSTOM_VOICE', pageSize: 1 }))
    expect(newest.map((v) => v.name)).toEqual(['Narrator 2', 'Narrator 1', 'Narrator 0'])
  })

  it('list: HUME_AI presets page too; another account sees none of these custom voices', async () => {
    const presets = await voices.list({ provider: 'HUME_AI', pageSize: 5 })
    expect(presets.data).toHaveLength(5)
    expect(presets.response.totalPages).toBeGreaterThan(1)
    const all = await collect(presets)
    expect(all.length).toBeGreaterThan(5)
    expect(new Set(all.map((v) => v.id)).size).toBe(all.length)
    expect(all.every((v) => v.provider === 'HUME_AI')).toBe(true)
    expect(all.map((v) => v.name)).toContain('Male English Actor')

    const theirs = await bob.list({ provider: 'CUSTOM_VOICE' })
    expect(theirs.data).toEqual([])
    expect(theirs.hasNextPage()).toBe(false)
  })

  it('a saved voice speaks in synthesis by name', async () => {
    const r = await h.client.tts.synthesizeJson({
      utterances: [{ text: 'Saved voice.', voice: { name: 'Narrator 1' } }],
      format: { type: 'pcm' },
    })
    expect(r.generations[0]!.audio.length).toBeGreaterThan(100)
  })

  it('create: 422 with the field for an unknown generation, a duplicate name, another account’s generation', async () => {
    const unknown = await errorOf(voices.create({ generationId: 'nope', name: 'X' }))
    expect(unknown).toBeInstanceOf(UnprocessableEntityError)
    expect(unknown.statusCode).toBe(422)
    expect((unknown.body as { detail: { loc: string[] }[] }).detail[0]!.loc).toEqual(['body', 'generation_id'])

    const duplicate = await errorOf(voices.create({ generationId: generationIds[0]!, name: 'Narrator 0' }))
    expect(duplicate.statusCode).toBe(422)
    expect((duplicate.body as { detail: { loc: string[] }[] }).detail[0]!.loc).toEqual(['body', 'name'])

    const foreign = await errorOf(bob.create({ generationId: generationIds[0]!, name: 'Stolen' }))
    expect(foreign.statusCode).toBe(422)

    const empty = await errorOf(voices.create({ generationId: generationIds[0]!, name: '' }))
    expect(empty.statusCode).toBe(422)
    const badPage = await errorOf(voices.list({ provider: 'CUSTOM_VOICE', pageSize: 1000 }))
    expect(badPage).toBeInstanceOf(UnprocessableEntityError)
  })

  it('delete: removes by name; 404 NotFoundError after, and for another account', async () => {
    const foreign = await errorOf(bob.delete({ name: 'Narrator 1' }))
    expect(foreign).toBeInstanceOf(NotFoundError)
    expect(foreign.statusCode).toBe(404)

    await expect(voices.delete({ name: 'Narrator 1' })).resolves.toBeUndefined()
    const left = await collect(await voices.list({ provider: 'CUSTOM_VOICE', ascendingOrder: true }))
    expect(left.map((v) => v.name)).toEqual(['Narrator 0', 'Narrator 2'])

    const again = await errorOf(voices.delete({ name: 'Narrator 1' }))
    expect(again).toBeInstanceOf(NotFoundError)
    expect(again.statusCode).toBe(404)
    expect(again.body).toMatchObject({ message: expect.stringContaining('Narrator 1') as string })
  })
})
