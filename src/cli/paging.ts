import { InvalidArgumentError } from 'commander'
import { Page } from '../client/index.js'

/** The most items a list command prints (`--limit`); a listing can grow without bound, the terminal can't. */
export const MAX_LIST_ITEMS = 10_000
export const DEFAULT_LIST_ITEMS = 1_000

export type Item = Record<string, unknown>

export interface Collected {
  items: Item[]
  /** More items exist past `limit`. */
  truncated: boolean
}

/**
 * Every item of a listing up to `limit`. Most SDK list methods return a `Page` (walked with `for await`); a few
 * (the official SDK's `listPromptVersions`) return the paged object itself, whose `key` array is walked by
 * asking for the following page numbers.
 */
export async function collect(
  load: (pageNumber: number) => Promise<unknown>,
  key: string,
  limit: number,
): Promise<Collected> {
  const items: Item[] = []
  const first = await load(0)
  if (first instanceof Page) {
    for await (const item of first as Page<unknown>) {
      if (items.length >= limit) return { items, truncated: true }
      if (item) items.push(item as Item)
    }
    return { items, truncated: false }
  }
  let page = first as Record<string, unknown> | undefined
  for (let n = 0; page;) {
    for (const item of (page[key] as Item[] | undefined) ?? []) {
      if (items.length >= limit) return { items, truncated: true }
      items.push(item)
    }
    const total = typeof page.totalPages === 'number' ? page.totalPages : 0
    n += 1
    page = n < total ? ((await load(n)) as Record<string, unknown>) : undefined
  }
  return { items, truncated: false }
}

/** `--limit` and `--page-size` values, checked (commander hands over strings). */
export function positiveInt(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`${name} must be an integer from 1 to ${max}`)
    return n
  }
}
