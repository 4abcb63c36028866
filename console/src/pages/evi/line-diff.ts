export interface DiffLine {
  kind: 'same' | 'added' | 'removed'
  text: string
  /** 1-based line numbers in A and B; absent on the side the line is not in. */
  a?: number
  b?: number
}

/** Version bodies are small; past this many lines each, the quadratic LCS table would stall the page. */
export const MAX_DIFF_LINES = 4000

/**
 * A line diff of two texts by longest common subsequence: unchanged lines kept, the rest as removals
 * (from A) before additions (from B), in order.
 */
export function lineDiff(a: string, b: string): DiffLine[] {
  const left = a.split('\n')
  const right = b.split('\n')
  if (left.length > MAX_DIFF_LINES || right.length > MAX_DIFF_LINES)
    throw new Error(`Too long to compare: more than ${MAX_DIFF_LINES} lines`)
  const n = left.length
  const m = right.length
  // lcs[i][j]: the LCS length of left[i..] and right[j..], in one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1))
  const at = (i: number, j: number) => lcs[i * (m + 1) + j] ?? 0
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * (m + 1) + j] = left[i] === right[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1))
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && left[i] === right[j]) {
      out.push({ kind: 'same', text: left[i] ?? '', a: i + 1, b: j + 1 })
      i++
      j++
    } else if (j >= m || (i < n && at(i + 1, j) >= at(i, j + 1))) {
      out.push({ kind: 'removed', text: left[i] ?? '', a: i + 1 })
      i++
    } else {
      out.push({ kind: 'added', text: right[j] ?? '', b: j + 1 })
      j++
    }
  }
  return out
}
