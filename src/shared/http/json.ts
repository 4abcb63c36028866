/**
 * JSON parsing for everything that arrives from clients (request bodies, multipart `json` parts,
 * socket messages): nesting is bounded before parsing, because deep documents overflow the stack
 * of every recursive consumer downstream (validation, serialisation), and `__proto__` /
 * `constructor.prototype` keys are refused as Fastify's own parser refuses them.
 */
import secureJson from 'secure-json-parse'
import { errors } from './errors.js'

/** The deepest nesting of objects and arrays in `text`, or `limit + 1` as soon as it passes `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth
      if (max > limit) return max
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return max
}

/**
 * Parses client JSON or throws a 400 naming `where` (e.g. ['body'], ['body', 'json']): a document
 * that is not JSON (or too deep to be one we accept) is a bad request, not a field-level issue.
 */
export function parseClientJson(text: string, maxDepth: number, where: (string | number)[] = ['body']): unknown {
  if (jsonDepth(text, maxDepth) > maxDepth)
    throw errors.badJson(where, `JSON is nested more than ${maxDepth} levels deep (PROSODIA_JSON_MAX_DEPTH)`)
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' })
  } catch (err) {
    throw errors.badJson(where, `invalid JSON: ${(err as Error).message}`)
  }
}

/** The nesting depth of an already-parsed value, walked without recursion; stops past `limit`. */
export function valueDepth(value: unknown, limit: number): number {
  let max = 0
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length > 0) {
    const [v, d] = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (d + 1 > max) max = d + 1
    if (max > limit) return max
    for (const child of Object.values(v as object)) stack.push([child, d + 1])
  }
  return max
}
