import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import {
  call,
  EVI_ROUTES,
  expectError,
  isList,
  routeLabel,
  routeUrl,
  seed,
  type EviRoute,
  type Resource,
} from '../helpers/evi-routes.js'

/**
 * Every EVI route against hostile input: each case names the exact 4xx, and `expectError` checks
 * Hume's `{code, error, message}` body, the x-request-id header, and that it is never a 5xx.
 */

const MIB = 1024 * 1024
const MISSING = '00000000-0000-4000-8000-000000000000'
const INT32_OVERFLOW = 2 ** 31

interface BadCase {
  /** Test name. */
  name: string
  route: EviRoute
  /** Resource ids may be a seeded one (`seeded`) or a given string. */
  id?: string
  version?: string | number
  query?: string
  /** JSON body; `raw` wins when both are given. */
  body?: unknown
  raw?: string
  headers?: Record<string, string>
  status: number
  code?: string
  mentions?: string | RegExp
}

const withBody = (r: EviRoute) => r.body !== undefined
const has = (r: EviRoute, part: string) => r.path.includes(part)
const label = (r: EviRoute, what: string) => `${routeLabel(r)}: ${what}`

/** A JSON value of another type than `value`'s. */
function wrongType(value: unknown): unknown {
  if (typeof value === 'string') return 5
  if (typeof value === 'number') return 'five'
  if (Array.isArray(value)) return { not: 'a list' }
  return 'not an object'
}

function genericCases(r: EviRoute): BadCase[] {
  const out: BadCase[] = []
  const v = (c: Omit<BadCase, 'route'>) => out.push({ route: r, ...c })
  if (has(r, '{id}')) {
    v({ name: label(r, 'id is not a UUID'), id: 'not-a-uuid', status: 400, code: 'validation_error', mentions: 'id' })
    v({ name: label(r, 'id is a UUID and more'), id: `${MISSING}0`, status: 400, mentions: 'id' })
    v({ name: label(r, 'id is unknown'), id: MISSING, body: r.body, status: 404, code: 'not_found', mentions: MISSING })
  }
  if (has(r, '{version}')) {
    for (const version of ['abc', '-1', '1.5', String(INT32_OVERFLOW)]) {
      v({ name: label(r, `version ${version}`), version, status: 400, code: 'validation_error', mentions: 'version' })
    }
    v({ name: label(r, 'version is unknown'), version: 99, body: r.body, status: 404, code: 'not_found' })
  }
  if (isList(r)) {
    const queries: [string, string][] = [
      ['page_size=0', 'page_size'],
      ['page_size=101', 'page_size'],
      ['page_size=abc', 'page_size'],
      ['page_size=', 'page_size'],
      ['page_number=-1', 'page_number'],
      ['page_number=1.5', 'page_number'],
      ['page_number=abc', 'page_number'],
    ]
    if (r.resource !== 'custom_voices') queries.push(['restrict_to_most_recent=maybe', 'restrict_to_most_recent'])
    if (r.op === 'list') queries.push([`name=${'n'.repeat(300)}`, 'name'], ['name=a%00b', 'name'])
    for (const [query, field] of queries) {
      v({ name: label(r, `?${query.slice(0, 40)}`), query, status: 400, code: 'validation_error', mentions: field })
    }
  }
  if (withBody(r)) {
    const valid = r.body as Record<string, unknown>
    v({ name: label(r, 'malformed JSON'), raw: '{"name": ', status: 400, code: 'bad_request', mentions: /JSON/ })
    v({ name: label(r, 'a JSON array'), raw: '[]', status: 400, mentions: 'body' })
    v({ name: label(r, 'JSON null'), raw: 'null', status: 400, mentions: 'body' })
    v({ name: label(r, 'a JSON string'), raw: '"text"', status: 400, mentions: 'body' })
    v({ name: label(r, 'an empty JSON body'), raw: '', status: 400 })
    v({
      name: label(r, 'content-type application/xml'),
      raw: '<prompt/>',
      headers: { 'content-type': 'application/xml' },
      status: 415,
      code: 'unsupported_media_type',
      mentions: 'application/xml',
    })
    // EVI routes take JSON only: neither text nor forms are parsed into resources.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      v({
        name: label(r, `content-type ${type}`),
        raw: 'name=x&text=y',
        headers: { 'content-type': type },
        status: 415,
        code: 'unsupported_media_type',
        mentions: type,
      })
    }
    v({
      name: label(r, 'a body over the 1 MiB limit'),
      raw: JSON.stringify({ ...valid, name: 'x'.repeat(MIB) }),
      status: 413,
      code: 'payload_too_large',
      mentions: String(MIB),
    })
    for (const key of r.required ?? []) {
      const { [key]: _gone, ...rest } = valid
      v({ name: label(r, `missing ${key}`), body: rest, status: 400, code: 'validation_error', mentions: key })
    }
    for (const [key, value] of Object.entries(valid)) {
      v({
        name: label(r, `${key} of the wrong type`),
        body: { ...valid, [key]: wrongType(value) },
        status: 400,
        mentions: key,
      })
      if (typeof value === 'string') {
        v({ name: label(r, `${key} as an object`), body: { ...valid, [key]: {} }, status: 400, mentions: key })
      }
    }
    if ('name' in valid) {
      for (const [what, name] of [
        ['empty', ''],
        ['10,000 characters', 'n'.repeat(10_000)],
        ['holding a NUL', 'a\u0000b'],
      ]) {
        v({ name: label(r, `name ${what}`), body: { ...valid, name }, status: 400, mentions: 'name' })
      }
    }
    // Custom voices have no version description.
    if (r.op !== 'rename' && r.resource !== 'custom_voices') {
      for (const [what, version_description] of [
        ['10,000 characters', 'd'.repeat(10_000)],
        ['holding a NUL', 'a\u0000b'],
      ]) {
        v({
          name: label(r, `version_description ${what}`),
          body: { ...valid, version_description },
          status: 400,
          mentions: 'version_description',
        })
      }
    }
  }
  return out
}

const TOO_LONG_TEXT = 't'.repeat(100_001)

/** Per resource, bodies that are wrong in ways only that resource can be. */
function specificCases(r: EviRoute): BadCase[] {
  if (r.op !== 'create' && r.op !== 'createVersion') return []
  const valid = r.body as Record<string, unknown>
  const bad = (what: string, patch: Record<string, unknown>, mentions: string | RegExp, code?: string): BadCase => ({
    name: label(r, what),
    route: r,
    body: { ...valid, ...patch },
    status: 400,
    mentions,
    ...(code ? { code } : {}),
  })
  const byResource: Record<Resource, BadCase[]> = {
    prompts: [bad('text over 100,000 characters', { text: TOO_LONG_TEXT }, 'text')],
    tools: [
      bad('parameters not JSON', { parameters: 'not json' }, 'parameters'),
      bad('parameters a JSON array', { parameters: '[1, 2]' }, 'parameters'),
      bad('parameters a JSON string', { parameters: '"object"' }, 'parameters'),
      bad('parameters not a JSON Schema', { parameters: '{"type": 5}' }, 'parameters'),
      bad('parameters over 100,000 characters', { parameters: `{"description":"${TOO_LONG_TEXT}"}` }, 'parameters'),
      bad('description over 10,000 characters', { description: 'd'.repeat(10_001) }, 'description'),
      bad('fallback_content of the wrong type', { fallback_content: 5 }, 'fallback_content'),
    ],
    configs: [
      bad('evi_version not a version', { evi_version: 'three' }, 'evi_version'),
      bad('evi_version of 100 characters', { evi_version: '3'.repeat(100) }, 'evi_version'),
      bad('a prompt with neither id nor text', { prompt: {} }, 'prompt'),
      bad('a prompt that does not exist', { prompt: { id: MISSING } }, 'Prompt', 'bad_request'),
      bad('a prompt version that does not exist', { prompt: { id: 'seeded:prompts', version: 99 } }, 'Prompt'),
      bad('a prompt version past int32', { prompt: { id: 'seeded:prompts', version: INT32_OVERFLOW } }, 'version'),
      bad('a prompt version below 0', { prompt: { id: 'seeded:prompts', version: -1 } }, 'version'),
      bad('a prompt id that is not a UUID', { prompt: { id: 'nope' } }, 'prompt'),
      bad('an inline prompt text over 100,000', { prompt: { text: TOO_LONG_TEXT } }, 'text'),
      bad('a tool that does not exist', { tools: [{ id: MISSING }] }, 'Tool', 'bad_request'),
      bad('a tool version past int32', { tools: [{ id: 'seeded:tools', version: INT32_OVERFLOW }] }, 'version'),
      bad('tools not a list', { tools: { id: MISSING } }, 'tools'),
      bad('a voice that does not exist', { voice: { name: 'NO SUCH VOICE' } }, 'Voice', 'bad_request'),
      bad('a voice id that does not exist', { voice: { id: MISSING, provider: 'CUSTOM_VOICE' } }, 'Voice'),
      bad('a voice of an unknown provider', { voice: { name: 'ITO', provider: 'ACME' } }, 'voice'),
      bad('a voice name holding a NUL', { voice: { name: 'a\u0000b', provider: 'CUSTOM_VOICE' } }, /voice/i),
      bad(
        'a webhook url that is not http(s)',
        { webhooks: [{ url: 'ftp://example.com/x', events: ['chat_started'] }] },
        'url',
      ),
      bad(
        'a webhook url that is javascript:',
        { webhooks: [{ url: 'javascript:alert(1)', events: ['chat_ended'] }] },
        'url',
      ),
      bad('a webhook url with no host', { webhooks: [{ url: 'http://', events: ['chat_started'] }] }, 'url'),
      bad(
        'a webhook url that is not a URL',
        { webhooks: [{ url: 'https://a host/x', events: ['chat_ended'] }] },
        'url',
      ),
      bad(
        'a webhook with an unknown event',
        { webhooks: [{ url: 'https://example.com', events: ['boom'] }] },
        'events',
      ),
      bad('a webhook with no events', { webhooks: [{ url: 'https://example.com', events: [] }] }, 'events'),
      bad('an unknown builtin tool', { builtin_tools: [{ name: 'rm_rf' }] }, 'builtin_tools'),
      bad('an unknown language model', { language_model: { model_resource: 'gpt-9000' } }, 'model_resource'),
      bad('a temperature of 2', { language_model: { temperature: 2 } }, 'temperature'),
      bad(
        'an inactivity timeout of 5 s',
        { timeouts: { inactivity: { enabled: true, duration_secs: 5 } } },
        'duration_secs',
      ),
      bad('a timeout without enabled', { timeouts: { max_duration: { duration_secs: 60 } } }, 'enabled'),
      bad('an event message of 5', { event_messages: { on_new_chat: 5 } }, 'on_new_chat'),
      bad('nudges every 0 s', { nudges: { interval_secs: 0 } }, 'interval_secs'),
      bad(
        'turn detection silence of 1 ms',
        { turn_detection: { end_of_turn_silence_ms: 1 } },
        'end_of_turn_silence_ms',
      ),
      bad('a negative interruption', { interruption: { min_interruption_ms: -1 } }, 'min_interruption_ms'),
    ],
    custom_voices: [
      bad('a parameter of 101', { parameters: { gender: 101 } }, 'gender'),
      bad('a parameter of -101', { parameters: { tightness: -101 } }, 'tightness'),
      bad('a fractional parameter', { parameters: { buoyancy: 1.5 } }, 'buoyancy'),
      bad('a parameter of the wrong type', { parameters: { nasality: 'high' } }, 'nasality'),
      bad('an unknown base_voice', { base_voice: 'NOBODY' }, 'base_voice'),
      bad('a lower-case base_voice', { base_voice: 'ito' }, 'base_voice'),
      bad('an unknown parameter_model', { parameter_model: '20991231-99parameter' }, 'parameter_model'),
      bad('a name of 76 characters', { name: 'V'.repeat(76) }, 'name'),
    ],
  }
  return byResource[r.resource]
}

const AUTH_CASES: { what: string; headers: Record<string, string>; mentions: RegExp }[] = [
  { what: 'no credentials', headers: {}, mentions: /missing/i },
  { what: 'a wrong API key', headers: { 'x-hume-api-key': 'not-a-key' }, mentions: /invalid/i },
  { what: 'an invalid bearer token', headers: { authorization: 'Bearer not-a-token' }, mentions: /invalid/i },
  { what: 'an empty bearer token', headers: { authorization: 'Bearer ' }, mentions: /credentials/i },
  { what: 'Basic credentials', headers: { authorization: 'Basic YWJjOmRlZg==' }, mentions: /missing/i },
]

const BAD_CASES = EVI_ROUTES.flatMap((r) => [...genericCases(r), ...specificCases(r)])

describe.each(dialects())('bad input on %s', (dialect) => {
  let t: TestApp
  const seeded: Partial<Record<Resource, string>> = {}
  const RESOURCES = ['prompts', 'tools', 'configs', 'custom_voices'] as const
  /** Everything alice can read about her seeded resources. */
  const view = async () => {
    const out: Record<string, unknown> = {}
    for (const resource of RESOURCES) {
      const res = await call(t, 'GET', `/v0/evi/${resource}/${seeded[resource]}`)
      out[resource] = { status: res.statusCode, body: res.json() as unknown }
    }
    return out
  }
  let before: Record<string, unknown>
  beforeAll(async () => {
    t = await createTestApp(dialect, { domains: ['evi'] })
    for (const resource of RESOURCES) seeded[resource] = await seed(t, resource)
    before = await view()
  })
  // Checked after every case has run, whatever their order: no bad request changed anything.
  afterAll(async () => {
    try {
      expect(before).toMatchObject({ prompts: { status: 200 }, custom_voices: { status: 200 } })
      expect(await view()).toEqual(before)
    } finally {
      await t.close()
    }
  })

  /** `seeded:prompts` in a body stands for alice's seeded prompt id. */
  const resolve = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value ?? null).replace(/"seeded:(\w+)"/g, (_m, r: Resource) => `"${seeded[r]}"`))

  it('covers every route with at least one case', () => {
    const covered = new Set(BAD_CASES.map((c) => routeLabel(c.route)))
    expect([...covered].sort()).toEqual(EVI_ROUTES.map(routeLabel).sort())
  })

  it.each(BAD_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const url = routeUrl(c.route, { id: c.id ?? seeded[c.route.resource], version: c.version ?? 0 }, c.query)
    const res = await call(t, c.route.method, url, {
      ...(c.raw !== undefined ? { raw: c.raw } : c.body !== undefined ? { body: resolve(c.body) } : {}),
      ...(c.headers ? { headers: c.headers } : {}),
    })
    expectError(res, c.status, { ...(c.code ? { code: c.code } : {}), ...(c.mentions ? { mentions: c.mentions } : {}) })
  })

  it.each(EVI_ROUTES.flatMap((r) => AUTH_CASES.map((a) => [`${routeLabel(r)}: ${a.what}`, r, a] as const)))(
    '%s → 401',
    async (_name, route, auth) => {
      const url = routeUrl(route, { id: seeded[route.resource] ?? MISSING, version: 0 })
      const res = await t.app.inject({
        method: route.method,
        url,
        headers: { ...auth.headers, ...(route.body ? { 'content-type': 'application/json' } : {}) },
        ...(route.body ? { payload: JSON.stringify(route.body) } : {}),
      })
      expectError(res, 401, { code: 'unauthorized', mentions: auth.mentions })
    },
  )
})
