import { serialization } from 'hume'
import { describe, expect, it } from 'vitest'
import {
  CONFIG_RULES,
  expectedWire,
  expectSameKeys,
  expectWire,
  FERN_CUSTOM_VOICES,
  routeTemplate,
  WIREMOCK_EVI,
} from '../helpers/wire.js'

// The checks the contract suites rely on must be able to fail: prove it on Hume's own examples.
describe('wire helpers', () => {
  const ev = serialization.empathicVoice
  const example = (key: string) => {
    const found = WIREMOCK_EVI[key]
    if (!found) throw new Error(`no example ${key}`)
    return structuredClone(found.body) as Record<string, unknown>
  }

  it('hold all 27 prompt, tool and config examples and 4 custom voice examples', () => {
    expect(Object.keys(WIREMOCK_EVI)).toHaveLength(27)
    expect(Object.keys(FERN_CUSTOM_VOICES)).toHaveLength(4)
  })

  it('accept every wiremock example with the SDK serializer for its route', () => {
    for (const [key, { body }] of Object.entries(WIREMOCK_EVI)) {
      const [method = '', template = ''] = key.split(' ')
      const expected = expectedWire(method, template)
      expect(expected, key).toBeDefined()
      if (typeof expected === 'object') expectWire(expected, body, key)
    }
  })

  it('reject an unknown key, a missing key, a wrong type and an unknown enum value', () => {
    const prompt = example('GET /v0/evi/prompts/{id}/version/{version}')
    expect(() => expectWire(ev.ReturnPrompt, { ...prompt, extra: 1 })).toThrow(/extra/)
    const { text: _text, ...textless } = prompt
    expect(() => expectWire(ev.ReturnPrompt, textless)).toThrow(/text/)
    expect(() => expectWire(ev.ReturnPrompt, { ...prompt, version: '0' })).toThrow(/version/)
    const tool = example('GET /v0/evi/tools/{id}/version/{version}')
    expect(() => expectWire(ev.ReturnUserDefinedTool, { ...tool, tool_type: 'MAGIC' })).toThrow(/tool_type/)
  })

  it('compare key sets in depth, allowing documented extras and nulls only', () => {
    const config = example('GET /v0/evi/configs/{id}/version/{version}')
    expectSameKeys(config, config, CONFIG_RULES)
    expectSameKeys({ ...config, voice: null, nudges: { enabled: true, interval_secs: null } }, config, CONFIG_RULES)
    expect(() => expectSameKeys({ ...config, surprise: 1 }, config, CONFIG_RULES)).toThrow(/surprise/)
    const { evi_version: _dropped, ...missing } = config
    expect(() => expectSameKeys(missing, config, CONFIG_RULES)).toThrow(/evi_version/)
    // `timeouts` is not nullable: a null there hides keys the example has.
    expect(() => expectSameKeys({ ...config, timeouts: null }, config, CONFIG_RULES)).toThrow(/timeouts.inactivity/)
    const { version_type: _type, ...untyped } = config.prompt as Record<string, unknown>
    expect(() => expectSameKeys({ ...config, prompt: untyped }, config, CONFIG_RULES)).toThrow(/prompt.version_type/)
  })

  it('name routes by template', () => {
    expect(routeTemplate('/v0/evi/tools/3f1b6b0e-8a5c-4c1e-9d2a-0b7c1d2e3f40/version/12')).toBe(
      '/v0/evi/tools/{id}/version/{version}',
    )
    expect(expectedWire('PATCH', '/v0/evi/configs/{id}')).toBe('text')
    expect(expectedWire('DELETE', '/v0/evi/prompts/{id}/version/{version}')).toBe('empty')
    expect(expectedWire('GET', '/v0/evi/chats')).toBeUndefined()
  })
})
