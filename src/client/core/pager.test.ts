import { describe, expect, it } from 'vitest'
import { numberedPages } from './pager.js'

interface Paged {
  pageNumber: number
  totalPages: number
  things: number[]
}

function fakeListing(total: number, pageSize: number) {
  const loads: number[] = []
  const load = (pageNumber: number): Promise<Paged> => {
    loads.push(pageNumber)
    const all = Array.from({ length: total }, (_, i) => i)
    return Promise.resolve({
      pageNumber,
      totalPages: Math.ceil(total / pageSize),
      things: all.slice(pageNumber * pageSize, (pageNumber + 1) * pageSize),
    })
  }
  return { loads, load }
}

describe('numbered pages', () => {
  it('for await walks every item of every page, loading each page once, lazily', async () => {
    const { loads, load } = fakeListing(5, 2)
    const page = await numberedPages({ load, items: (r: Paged) => r.things })
    expect(loads).toEqual([0])
    const seen: number[] = []
    for await (const n of page) seen.push(n)
    expect(seen).toEqual([0, 1, 2, 3, 4])
    expect(loads).toEqual([0, 1, 2])
  })

  it('iterPages yields the pages with their responses; getNextPage ends at the last', async () => {
    const { load } = fakeListing(3, 2)
    const first = await numberedPages({ load, items: (r: Paged) => r.things })
    const pages = []
    for await (const p of first.iterPages()) pages.push(p.response.pageNumber)
    expect(pages).toEqual([0, 1])
    const second = await first.getNextPage()
    expect(second.hasNextPage()).toBe(false)
    await expect(second.getNextPage()).rejects.toThrow('last page')
  })

  it('stopping early loads nothing more', async () => {
    const { loads, load } = fakeListing(10, 2)
    const page = await numberedPages({ load, items: (r: Paged) => r.things })
    for await (const n of page) if (n === 2) break
    expect(loads).toEqual([0, 1])
  })

  it('an empty listing has one empty page', async () => {
    const { load } = fakeListing(0, 2)
    const page = await numberedPages({ load, items: (r: Paged) => r.things })
    expect(page.data).toEqual([])
    expect(page.hasNextPage()).toBe(false)
  })
})

it('walks by the page it asked for, whatever page_number the server claims', async () => {
  let loads = 0
  const load = (pageNumber: number) => {
    loads++
    return Promise.resolve({ pageNumber: '0' as unknown as number, totalPages: 3, things: [pageNumber] })
  }
  const seen: number[] = []
  for await (const n of await numberedPages({ load, items: (r: { things: number[] }) => r.things })) seen.push(n)
  expect(seen).toEqual([0, 1, 2])
  expect(loads).toBe(3)
})
