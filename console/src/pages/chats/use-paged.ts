import { useCallback, useEffect, useState } from 'preact/hooks'
import type { Page } from '../../../../src/client/core/pager.js'
import { useAction } from '../../hooks.js'

/**
 * A listing read a page at a time: the first page on mount (and whenever `first` changes), then
 * `more()` appends the next one. Pages rather than `for await` over everything, so a chat with
 * thousands of events costs nothing until someone asks for them.
 */
export function usePaged<T>(first: () => Promise<Page<T>>) {
  const [items, setItems] = useState<T[] | null>(null)
  const [page, setPage] = useState<Page<T> | null>(null)
  const { busy, error, setError, run } = useAction()

  useEffect(() => {
    let live = true
    setItems(null)
    void run(async () => {
      const p = await first()
      if (!live) return
      setPage(p)
      setItems(p.data)
    })
    return () => {
      live = false
    }
  }, [first, run])

  const more = useCallback(() => {
    if (!page?.hasNextPage()) return
    void run(async () => {
      const next = await page.getNextPage()
      setPage(next)
      setItems((list) => [...(list ?? []), ...next.data])
    })
  }, [page, run])

  return { items, busy, error, setError, hasMore: page?.hasNextPage() ?? false, more }
}
