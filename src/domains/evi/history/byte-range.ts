/**
 * The one `Range: bytes=` form players and download tools send: a single range. Anything else
 * (several ranges, other units, nonsense) is ignored and the whole file is sent, as RFC 9110 allows.
 */
export type RangeRequest = { start: number; end: number } | 'unsatisfiable' | undefined

export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (!header) return undefined
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  if (m[1] === '') {
    // A suffix: the last N bytes.
    const n = Number(m[2])
    if (n === 0) return 'unsatisfiable'
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(m[1])
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  if (m[2] !== '' && Number(m[2]) < start) return undefined
  if (start >= size) return 'unsatisfiable'
  return { start, end }
}
