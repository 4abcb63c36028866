import { readFileSync } from 'node:fs'
import { serialization } from 'hume'
import { expect } from 'vitest'

/**
 * Wire checks for the contract suites: every raw body is parsed with the SDK's own serializers in
 * strict mode (the SDK itself parses leniently, so a stray or mistyped key would go unnoticed), and
 * its keys are compared with Hume's published example of the same endpoint.
 */

/** The strictest options the SDK's serializers take: unknown keys, bad values and unknown enum values fail. */
export const STRICT = {
  unrecognizedObjectKeys: 'fail',
  allowUnrecognizedUnionMembers: false,
  allowUnrecognizedEnumValues: false,
  skipValidation: false,
} as const

/** Any of `serialization.empathicVoice.*`. */
export interface WireSchema {
  parse(
    raw: unknown,
    opts?: typeof STRICT,
  ): { ok: true; value: unknown } | { ok: false; errors: { path: string[]; message: string }[] }
}

const ev = serialization.empathicVoice

/** Parses `body` with `schema` strictly; on failure prints every error with its path, and the body. */
export function expectWire(schema: WireSchema, body: unknown, label = 'body'): void {
  const result = schema.parse(body, STRICT)
  if (!result.ok) {
    const lines = result.errors.map((e) => `  ${[label, ...e.path].join('.')}: ${e.message}`)
    expect.fail(
      `${label} does not parse with the SDK's serializer:\n${lines.join('\n')}\n${JSON.stringify(body).slice(0, 4000)}`,
    )
  }
}

/** One HTTP exchange the SDK made, with the raw response text. */
export interface Exchange {
  method: string
  /** Path without the query string. */
  path: string
  query: string
  status: number
  contentType: string
  text: string
}

/** A `fetch` for `new HumeClient({ fetch })` that records every response before the SDK sees it. */
export function recordingFetch(): { fetch: typeof fetch; exchanges: Exchange[]; take: () => Exchange[] } {
  const exchanges: Exchange[] = []
  const recording: typeof fetch = async (input, init) => {
    const res = await fetch(input, init)
    const url = new URL(input instanceof Request ? input.url : String(input))
    exchanges.push({
      method: (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(),
      path: url.pathname,
      query: url.search,
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      text: await res.clone().text(),
    })
    return res
  }
  return { fetch: recording, exchanges, take: () => exchanges.splice(0) }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** `/v0/evi/prompts/<uuid>/version/3` -> `/v0/evi/prompts/{id}/version/{version}`. */
export function routeTemplate(path: string): string {
  const parts = path.split('/')
  return parts
    .map((p, i) => (UUID.test(p) ? '{id}' : parts[i - 1] === 'version' && /^\d+$/.test(p) ? '{version}' : p))
    .join('/')
}

type Resource = 'prompts' | 'tools' | 'configs'
const schemas: Record<Resource, { one: WireSchema; paged: WireSchema }> = {
  prompts: { one: ev.ReturnPrompt, paged: ev.ReturnPagedPrompts },
  tools: { one: ev.ReturnUserDefinedTool, paged: ev.ReturnPagedUserDefinedTools },
  configs: { one: ev.ReturnConfig, paged: ev.ReturnPagedConfigs },
}

/** What a successful response of an EVI prompts/tools/configs route must be, by `METHOD template`. */
export function expectedWire(method: string, template: string): WireSchema | 'empty' | 'text' | undefined {
  const m = /^\/v0\/evi\/(prompts|tools|configs)(\/\{id\}(\/version\/\{version\})?)?$/.exec(template)
  if (!m) return undefined
  const s = schemas[m[1] as Resource]
  const depth = m[3] ? 'version' : m[2] ? 'id' : 'base'
  const table: Record<string, WireSchema | 'empty' | 'text'> = {
    'GET base': s.paged,
    'POST base': s.one,
    'GET id': s.paged,
    'POST id': s.one,
    'DELETE id': 'empty',
    'PATCH id': 'text',
    'GET version': s.one,
    'DELETE version': 'empty',
    'PATCH version': s.one,
  }
  return table[`${method} ${depth}`]
}

function fixture(file: string): Record<string, { status: number; body: unknown }> {
  const raw = JSON.parse(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')) as {
    responses: Record<string, { status: number; body: unknown }>
  }
  return raw.responses
}

/** Hume's example responses by `METHOD template` (see test/fixtures/README.md). */
export const WIREMOCK_EVI = fixture('wiremock-evi.json')
export const FERN_CUSTOM_VOICES = fixture('fern-legacy-custom-voices.json')

/** Every key path in a JSON value: `a`, `a.b`, `list[]`, `list[].c` (array items merged). Maps path -> value is null. */
export function keyPaths(value: unknown, prefix = '', out = new Map<string, boolean>()): Map<string, boolean> {
  if (Array.isArray(value)) {
    for (const item of value) keyPaths(item, `${prefix}[]`, out)
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = prefix ? `${prefix}.${k}` : k
      out.set(p, v === null || (out.get(p) ?? false))
      keyPaths(v, p, out)
    }
  }
  return out
}

export interface KeyRules {
  /** Keys Hume's SDK declares that the example leaves out; ours may carry them (and anything under them). */
  extras?: readonly string[]
  /** Keys that we document as null when not set: when ours is null, the example's keys below it are not expected. */
  nullable?: readonly string[]
  /** Keys whose contents vary by request, compared elsewhere: only the key itself must match. */
  opaque?: readonly string[]
}

const segments = (path: string) => path.split('.').map((s) => s.replace(/\[\]$/, ''))

/**
 * Asserts that `ours` has the same set of keys as Hume's `example`, at every depth, but for the rules.
 * Below an array that is empty on either side (e.g. the example config's `tools: []`), nothing is compared.
 */
export function expectSameKeys(ours: unknown, example: unknown, rules: KeyRules = {}, label = 'body'): void {
  const mine = keyPaths(ours)
  const theirs = keyPaths(example)
  const under = (path: string, names: readonly string[] | undefined, self = false) => {
    const segs = segments(path)
    return (names ?? []).some((n) => (self ? segs.slice(0, -1) : segs).includes(n))
  }
  const nullAbove = (path: string) => {
    const segs = path.split('.')
    for (let i = 1; i < segs.length; i++) {
      const parent = segs.slice(0, i).join('.')
      const name = segments(parent).at(-1) ?? ''
      if (mine.get(parent) === true && (rules.nullable ?? []).includes(name)) return true
    }
    return false
  }
  /** Below an array that is empty on one side, the other side's keys cannot be compared. */
  const belowEmptyArray = (path: string, side: Map<string, boolean>) => {
    for (let i = path.indexOf('[]'); i >= 0; i = path.indexOf('[]', i + 1)) {
      const arrayPath = path.slice(0, i)
      if (side.has(arrayPath) && ![...side.keys()].some((k) => k.startsWith(`${arrayPath}[]`))) return true
    }
    return false
  }
  const missing = [...theirs.keys()].filter(
    (p) => !mine.has(p) && !nullAbove(p) && !under(p, rules.opaque, true) && !belowEmptyArray(p, mine),
  )
  const extra = [...mine.keys()].filter(
    (p) => !theirs.has(p) && !under(p, rules.extras) && !under(p, rules.opaque, true) && !belowEmptyArray(p, theirs),
  )
  if (missing.length > 0 || extra.length > 0) {
    expect.fail(
      `${label}: keys differ from Hume's example\n  missing: ${missing.join(', ') || '-'}\n  extra: ${extra.join(', ') || '-'}`,
    )
  }
}

/** What our config bodies carry beyond Hume's examples, and what they leave null; see configs.schemas.ts. */
export const CONFIG_RULES: KeyRules = {
  // In the SDK's ReturnConfig, not in the wiremock example.
  extras: ['nudges', 'turn_detection', 'interruption', 'webhooks', 'prompt_expansion'],
  nullable: ['prompt', 'voice', 'language_model', 'turn_detection', 'interruption'],
}
export const PROMPT_RULES: KeyRules = { extras: ['prompt_expansion'] }
export const TOOL_RULES: KeyRules = {}

/**
 * Checks every recorded exchange of an EVI prompts/tools/configs route: 2xx bodies with the SDK's
 * serializers and against Hume's example, 4xx bodies as `ErrorResponse`, and never a 5xx.
 * Returns how many exchanges were checked.
 */
export function expectExchangesOnWire(exchanges: Exchange[]): number {
  for (const x of exchanges) {
    const template = routeTemplate(x.path)
    const label = `${x.method} ${x.path}${x.query} -> ${x.status}`
    expect(x.status, label).toBeLessThan(500)
    if (x.status >= 400) {
      expect(x.contentType, label).toMatch(/^application\/json/)
      expectWire(ev.ErrorResponse, JSON.parse(x.text), label)
      continue
    }
    const expected = expectedWire(x.method, template)
    if (expected === undefined) throw new Error(`no wire expectation for ${label}`)
    if (expected === 'empty' || expected === 'text') {
      // Hume answers deletes and renames with no content worth parsing.
      expect(x.text, label).toBe('')
      continue
    }
    expect(x.contentType, label).toMatch(/^application\/json/)
    const body: unknown = JSON.parse(x.text)
    expectWire(expected, body, label)
    const example = WIREMOCK_EVI[`${x.method} ${template}`]
    if (!example) throw new Error(`no wiremock example for ${label}`)
    expect(x.status, label).toBe(example.status)
    const rules = template.includes('/configs') ? CONFIG_RULES : template.includes('/tools') ? TOOL_RULES : PROMPT_RULES
    expectSameKeys(body, example.body, rules, label)
  }
  return exchanges.length
}
