import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { useAction } from '../../hooks.js'
import type { Listing } from './kinds.js'
import type { Wire } from './wire.js'

/**
 * A listing loaded a page at a time: `loadMore()` appends the next page, `reload()` starts again from
 * page 0 (after a create or delete). A response that arrives after a newer reload is dropped.
 */
export function usePaged(load: (pageNumber: number) => Promise<Listing>) {
  const [items, setItems] = useState<Wire[]>([])
  const [next, setNext] = useState<number | null>(null)
  const [loaded, setLoaded] = useState(false)
  const { busy, error, run } = useAction()
  const generation = useRef(0)

  const fetchPage = useCallback(
    (pageNumber: number) => {
      const mine = pageNumber === 0 ? ++generation.current : generation.current
      return run(async () => {
        const page = await load(pageNumber)
        if (mine !== generation.current) return
        setItems((prev) => (pageNumber === 0 ? page.items : [...prev, ...page.items]))
        setNext(pageNumber + 1 < page.totalPages ? pageNumber + 1 : null)
        setLoaded(true)
      })
    },
    [load, run],
  )

  useEffect(() => {
    void fetchPage(0)
  }, [fetchPage])

  return {
    items,
    busy,
    error,
    loaded,
    hasMore: next !== null,
    loadMore: () => (next !== null ? fetchPage(next) : Promise.resolve(undefined)),
    reload: () => fetchPage(0),
  }
}
