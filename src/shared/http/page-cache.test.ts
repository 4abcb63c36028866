import { describe, expect, it } from 'vitest'
import { PageCache } from './page-cache.js'

describe('PageCache', () => {
  it('answers only for the generation an entry was made in', () => {
    const cache = new PageCache(1024)
    cache.set('a', 1, '{"x":1}')
    expect(cache.get('a', 1)).toBe('{"x":1}')
    expect(cache.get('a', 2)).toBeUndefined()
    cache.set('a', 2, '{"x":2}')
    expect(cache.get('a', 2)).toBe('{"x":2}')
    expect(cache.size).toBe(1)
  })

  it('evicts the least recently used entries past its byte budget', () => {
    const cache = new PageCache(40) // two 10-character bodies (20 bytes each)
    cache.set('a', 1, '0123456789')
    cache.set('b', 1, '0123456789')
    expect(cache.get('a', 1)).toBeDefined() // a is now more recent than b
    cache.set('c', 1, '0123456789')
    expect(cache.get('b', 1)).toBeUndefined()
    expect(cache.get('a', 1)).toBeDefined()
    expect(cache.get('c', 1)).toBeDefined()
  })

  it('does not keep a body larger than the whole budget', () => {
    const cache = new PageCache(10)
    cache.set('big', 1, 'x'.repeat(100))
    expect(cache.size).toBe(0)
  })
})
