import { describe, expect, it } from 'vitest'
import { pageOffset, toPage } from './pagination.js'

describe('pagination', () => {
  it('counts pages from the total and offsets by page', () => {
    expect(pageOffset({ page_number: 3, page_size: 10 })).toBe(30)
    expect(toPage([1, 2], 25, { page_number: 2, page_size: 10 })).toEqual({
      items: [1, 2],
      page_number: 2,
      page_size: 10,
      total_pages: 3,
    })
  })

  it('an empty collection has no pages, and a page past the end is empty', () => {
    expect(toPage([], 0, { page_number: 0, page_size: 10 }).total_pages).toBe(0)
    expect(toPage([], 5, { page_number: 9, page_size: 10 })).toMatchObject({ items: [], total_pages: 1 })
  })
})
