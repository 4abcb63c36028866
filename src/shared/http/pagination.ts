import { Type, type Static } from 'typebox'

export const DEFAULT_PAGE_SIZE = 10
export const MAX_PAGE_SIZE = 100

/** `page_number` from 0 and `page_size` 1..100, as Hume pages. */
export const PageQuery = Type.Object({
  page_number: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  page_size: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
})
export type PageQuery = Static<typeof PageQuery>

export interface Page<T> {
  items: T[]
  page_number: number
  page_size: number
  total_pages: number
}

export function pageOffset(q: PageQuery): number {
  return q.page_number * q.page_size
}

/** A page past the end is empty, not an error: the SDK's pager stops at the first empty page. */
export function toPage<T>(items: T[], total: number, q: PageQuery): Page<T> {
  return { items, page_number: q.page_number, page_size: q.page_size, total_pages: Math.ceil(total / q.page_size) }
}
