import { toCamel, toSnake } from '../../../../src/client/index.js'

/**
 * The EVI page shows and edits request bodies in the wire form (snake_case), the shape the API reference
 * and every Hume example use; the client wants camelCase, so bodies are converted only at the call.
 */
export type Wire = Record<string, unknown>

export function toWire(value: unknown): Wire {
  return toSnake(value) as Wire
}

export function fromWire<T>(body: Wire): T {
  return toCamel(body) as T
}

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2)
}

/** Drops null and undefined members, recursively: a returned version has nulls its request does not accept. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(withoutNulls)
  if (value !== null && typeof value === 'object') {
    const out: Wire = {}
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = withoutNulls(v)
    return out
  }
  return value
}

/** Parses a JSON object typed by hand, with a message that says what is wrong. */
export function parseObject(text: string, what: string): Wire {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${(e as Error).message}`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`${what} must be a JSON object`)
  return parsed as Wire
}

/** A path-keyed immutable update: set(body, ['event_messages', 'on_new_chat', 'text'], 'Hi'). */
export function setIn(body: Wire, path: string[], value: unknown): Wire {
  const [head, ...rest] = path
  if (head === undefined) return body
  const next = { ...body }
  if (rest.length === 0) {
    if (value === undefined) delete next[head]
    else next[head] = value
  } else {
    const inner = body[head]
    next[head] = setIn(inner !== null && typeof inner === 'object' ? (inner as Wire) : {}, rest, value)
  }
  return next
}

export function getIn(body: Wire, path: string[]): unknown {
  let at: unknown = body
  for (const key of path) at = at !== null && typeof at === 'object' ? (at as Wire)[key] : undefined
  return at
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString()
}
