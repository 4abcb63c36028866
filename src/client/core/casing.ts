/**
 * The wire is snake_case; the official Hume SDKs hand users camelCase. The client converts both ways so that
 * code written for `hume` keeps working after a one-line import change.
 */

/** Keys whose values are the user's own maps (session variables, metadata): their keys pass untouched. */
const OPAQUE_KEYS = new Set(['variables', 'metadata', 'user_metadata', 'userMetadata'])

/**
 * Wire names the official SDKs camelCase as if they had an underscore (Fern's `md5sum` → `md5Sum`):
 * the client follows the SDK, so code reading `md5Sum` keeps working.
 */
const CAMEL_ALIASES: Record<string, string> = { md5sum: 'md5Sum' }
const SNAKE_ALIASES: Record<string, string> = { md5Sum: 'md5sum' }

type CamelKey<S extends string> = S extends 'md5sum'
  ? 'md5Sum'
  : S extends `${infer Head}_${infer Tail}`
    ? `${Head}${Capitalize<CamelKey<Tail>>}`
    : S
type SnakeKey<S extends string> = S extends 'md5Sum'
  ? 'md5sum'
  : S extends `${infer C}${infer Rest}`
    ? C extends Lowercase<C>
      ? `${C}${SnakeKey<Rest>}`
      : `_${Lowercase<C>}${SnakeKey<Rest>}`
    : S
type Opaque = 'variables' | 'metadata' | 'user_metadata' | 'userMetadata'

/** A wire type as the client hands it out: keys camelCased all the way down (user maps excepted). */
export type Camelize<T> = T extends readonly (infer U)[]
  ? Camelize<U>[]
  : T extends Uint8Array | Blob | Date
    ? T
    : T extends object
      ? { [K in keyof T as K extends string ? CamelKey<K> : K]: K extends Opaque ? T[K] : Camelize<T[K]> }
      : T

/** The inverse, for the rare caller who holds a camelCase object and needs the wire form. */
export type Snakeize<T> = T extends readonly (infer U)[]
  ? Snakeize<U>[]
  : T extends object
    ? { [K in keyof T as K extends string ? SnakeKey<K> : K]: K extends Opaque ? T[K] : Snakeize<T[K]> }
    : T

export function camelKey(key: string): string {
  const alias = CAMEL_ALIASES[key]
  if (alias !== undefined && Object.hasOwn(CAMEL_ALIASES, key)) return alias
  // Only underscores between word characters: a leading `_` or `__proto__` keeps its shape.
  return key.replace(/(?<=[a-zA-Z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

export function snakeKey(key: string): string {
  const alias = SNAKE_ALIASES[key]
  if (alias !== undefined && Object.hasOwn(SNAKE_ALIASES, key)) return alias
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** Deeper than any API shape by far; a hostile server's 100,000 nested arrays must not overflow the stack. */
export const MAX_DEPTH = 256

function convert(value: unknown, rename: (key: string) => string, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new RangeError(`The data is nested more than ${MAX_DEPTH} levels deep`)
  if (Array.isArray(value)) return value.map((v) => convert(v, rename, depth + 1))
  if (!isPlainObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue
    // Defined, not assigned: a key such as "__proto__" from the wire stays data, never a prototype.
    Object.defineProperty(out, rename(key), {
      value: OPAQUE_KEYS.has(key) ? v : convert(v, rename, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

/** Wire → client: snake_case keys become camelCase. */
export function toCamel<T>(value: T): Camelize<T> {
  return convert(value, camelKey) as Camelize<T>
}

/** Client → wire: camelCase keys become snake_case; already snake_case keys stay as they are. */
export function toSnake<T>(value: T): Snakeize<T> {
  return convert(value, snakeKey) as Snakeize<T>
}
