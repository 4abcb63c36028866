/**
 * A page of a listing. `for await (const item of page)` walks every item of every page from this one on,
 * fetching pages as it goes; `iterPages()` walks the pages themselves. The shape of Fern's `core.Page`
 * (`data`, `response`, `hasNextPage()`, `getNextPage()`), so code written for the official SDK keeps working.
 */
export class Page<T, R = unknown> implements AsyncIterable<T> {
  constructor(
    /** The items on this page. */
    readonly data: T[],
    /** The whole response of this page (camelCased), with its paging fields. */
    readonly response: R,
    private readonly next: (() => Promise<Page<T, R>>) | undefined,
  ) {}

  hasNextPage(): boolean {
    return this.next !== undefined
  }

  /** The following page; throws when there is none. */
  getNextPage(): Promise<Page<T, R>> {
    if (!this.next) return Promise.reject(new Error('This is the last page'))
    return this.next()
  }

  async *iterPages(): AsyncGenerator<Page<T, R>, void, undefined> {
    yield this
    let page: Page<T, R> = this as Page<T, R>
    while (page.hasNextPage()) {
      page = await page.getNextPage()
      yield page
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.iterPages()) yield* page.data
  }
}

export interface NumberedPaging<R, T> {
  /** Loads page `pageNumber` (0-based, as Hume numbers them). */
  load: (pageNumber: number) => Promise<R>
  items: (response: R) => T[] | undefined
  first?: number
}

/** Hume's listings: `page_number` from 0 and `total_pages` in every response. */
export async function numberedPages<T, R extends { pageNumber?: number; totalPages?: number }>(
  paging: NumberedPaging<R, T>,
): Promise<Page<T, R>> {
  const at = async (pageNumber: number): Promise<Page<T, R>> => {
    const response = await paging.load(pageNumber)
    const items = paging.items(response) ?? []
    // The page asked for, not the one the server says it sent: a server repeating `page_number: 0` (or
    // sending it as a string) must not make `for await` loop forever. An empty page ends the walk too.
    const total = response.totalPages
    const more = typeof total === 'number' ? pageNumber + 1 < total : true
    return new Page(items, response, more && items.length > 0 ? () => at(pageNumber + 1) : undefined)
  }
  return at(paging.first ?? 0)
}
