import { describe, expect, it } from 'vitest'
import { camelKey, snakeKey, toCamel, toSnake } from './casing.js'

describe('casing', () => {
  it('camelCases wire keys all the way down, arrays included', () => {
    const wire = { page_number: 0, prompts_page: [{ version_description: null, prompt_expansion: { enabled: true } }] }
    expect(toCamel(wire)).toEqual({
      pageNumber: 0,
      promptsPage: [{ versionDescription: null, promptExpansion: { enabled: true } }],
    })
  })

  it('snake_cases requests, and leaves keys that already are snake_case alone', () => {
    expect(toSnake({ versionDescription: 'v', language_model: { modelProvider: 'OPEN_AI' } })).toEqual({
      version_description: 'v',
      language_model: { model_provider: 'OPEN_AI' },
    })
  })

  it("keeps the user's own maps (session variables, metadata) as they are", () => {
    const settings = { variables: { user_name: 'Ada', firstName: 'A' }, customSessionId: 'x' }
    expect(toSnake(settings)).toEqual({ variables: { user_name: 'Ada', firstName: 'A' }, custom_session_id: 'x' })
    expect(toCamel({ metadata: { some_key: 1 } })).toEqual({ metadata: { some_key: 1 } })
  })

  it('drops undefined fields and passes values that are not plain objects through', () => {
    const bytes = new Uint8Array([1, 2])
    const out = toSnake({ a: undefined, fileBytes: bytes, when: null }) as Record<string, unknown>
    expect(out).toEqual({ file_bytes: bytes, when: null })
    expect(out.file_bytes).toBe(bytes)
  })

  it('a "__proto__" key from the wire stays data and never becomes a prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a_b": 1}') as object
    const out = toCamel(parsed) as Record<string, unknown>
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.keys(out)).toEqual(['__proto__', 'aB'])
  })

  it('converts single keys both ways', () => {
    expect(camelKey('total_pages')).toBe('totalPages')
    expect(camelKey('interval_secs_2')).toBe('intervalSecs2')
    expect(snakeKey('restrictToMostRecent')).toBe('restrict_to_most_recent')
    // As hume-legacy names it, both ways; "constructor" is no alias.
    expect(camelKey('md5sum')).toBe('md5Sum')
    expect(snakeKey('md5Sum')).toBe('md5sum')
    expect(camelKey('constructor')).toBe('constructor')
  })
})

it('refuses data nested beyond MAX_DEPTH instead of overflowing the stack', () => {
  const deep = JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)) as unknown
  expect(() => toCamel(deep)).toThrow(RangeError)
  expect(() => toCamel(deep)).toThrow('nested more than')
})
