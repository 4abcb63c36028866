/**
 * empathicVoice.customVoices, which the official SDKs dropped: every method against the real server,
 * paging, isolation between accounts and the 400 a bad voice gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BadRequestError, NotFoundError, type ProsodiaClient } from '../../src/client/index.js'
import { startClientHarness, type ClientHarness, errorOf } from '../helpers/client.js'

const MODEL = '20241004-11parameter'

describe('client: empathicVoice.customVoices', () => {
  let h: ClientHarness
  let voices: ProsodiaClient['empathicVoice']['customVoices']
  beforeAll(async () => {
    h = await startClientHarness('sqlite', { domains: ['evi'] })
    voices = h.client.empathicVoice.customVoices
  })
  afterAll(() => h.close())

  it('create, get, new version, rename and delete, camelCased', async () => {
    const voice = await voices.createCustomVoice({
      name: 'warm narrator',
      baseVoice: 'KORA',
      parameterModel: MODEL,
      parameters: { gender: 10, buoyancy: -20 },
    })
    expect(voice).toEqual({
      id: expect.any(String),
      version: 0,
      name: 'WARM NARRATOR',
      createdOn: expect.any(Number),
      modifiedOn: expect.any(Number),
      baseVoice: 'KORA',
      parameterModel: MODEL,
      parameters: { gender: 10, buoyancy: -20 },
    })
    expect(await voices.getCustomVoice(voice.id)).toEqual(voice)

    const v1 = await voices.createCustomVoiceVersion(voice.id, {
      name: 'brighter',
      baseVoice: 'ITO',
      parameterModel: MODEL,
      parameters: { enthusiasm: 50 },
    })
    expect(v1).toMatchObject({
      id: voice.id,
      version: 1,
      name: 'BRIGHTER',
      baseVoice: 'ITO',
      parameters: { enthusiasm: 50 },
    })
    expect(await voices.getCustomVoice(voice.id)).toMatchObject({ version: 1 })

    const { data, rawResponse } = await voices.updateCustomVoiceName(voice.id, { name: 'calm' }).withRawResponse()
    expect(typeof data).toBe('string')
    expect(rawResponse.status).toBe(200)
    expect((await voices.getCustomVoice(voice.id)).name).toBe('CALM')

    expect(await voices.deleteCustomVoice(voice.id)).toBeUndefined()
    const gone = await errorOf(voices.getCustomVoice(voice.id))
    expect(gone).toBeInstanceOf(NotFoundError)
    expect(gone.statusCode).toBe(404)
    expect(gone.body).toMatchObject({ code: 'not_found' })
  })

  it('listCustomVoices pages with for await and iterPages, and filters by name', async () => {
    for (const name of ['alpha', 'beta', 'gamma']) {
      await voices.createCustomVoice({ name, baseVoice: 'AURA', parameterModel: MODEL })
    }
    const first = await voices.listCustomVoices({ pageSize: 2 })
    expect(first.response).toMatchObject({ pageNumber: 0, pageSize: 2, totalPages: 2 })
    expect(first.response.customVoicesPage).toHaveLength(2)
    const names: string[] = []
    for await (const v of first) names.push(v.name)
    expect(names.sort()).toEqual(['ALPHA', 'BETA', 'GAMMA'])
    const sizes: number[] = []
    for await (const page of first.iterPages()) sizes.push(page.data.length)
    expect(sizes).toEqual([2, 1])
    const byName = await voices.listCustomVoices({ name: 'BETA' })
    expect(byName.data.map((v) => v.name)).toEqual(['BETA'])
  })

  it("bob cannot see alice's voice; a bad voice is a 400 with Hume's error body", async () => {
    const voice = await voices.createCustomVoice({ name: 'private', baseVoice: 'FINN', parameterModel: MODEL })
    const bob = h.clientAs('bob').empathicVoice.customVoices
    expect((await errorOf(bob.getCustomVoice(voice.id))).statusCode).toBe(404)
    expect((await errorOf(bob.updateCustomVoiceName(voice.id, { name: 'mine' }))).statusCode).toBe(404)
    expect((await errorOf(bob.deleteCustomVoice(voice.id))).statusCode).toBe(404)
    expect((await bob.listCustomVoices()).data).toEqual([])

    const bad = await errorOf(
      voices.createCustomVoice({ name: 'loud', baseVoice: 'ITO', parameterModel: MODEL, parameters: { gender: 500 } }),
    )
    expect(bad).toBeInstanceOf(BadRequestError)
    expect(bad.body).toMatchObject({ error: 'Bad Request', message: expect.stringContaining('gender') })
  })
})
