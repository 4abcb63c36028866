import type { LightMyRequestResponse } from 'fastify'
import { serialization } from 'hume'
import { expect } from 'vitest'
import type { TestApp } from './app.js'
import { expectWire } from './wire.js'

/** The 33 EVI resource routes, as a table the isolation and bad-input suites loop over. */

export type Resource = 'prompts' | 'tools' | 'configs' | 'custom_voices'
export type Op =
  | 'list'
  | 'create'
  | 'listVersions'
  | 'get'
  | 'createVersion'
  | 'delete'
  | 'rename'
  | 'getVersion'
  | 'deleteVersion'
  | 'updateDescription'
export type Method = 'GET' | 'POST' | 'DELETE' | 'PATCH'

export interface EviRoute {
  resource: Resource
  op: Op
  method: Method
  /** With `{id}` and `{version}` placeholders, as in the OpenAPI document. */
  path: string
  /** The success status. */
  ok: number
  /** A small valid body, for routes that take one. */
  body?: Record<string, unknown>
  /** The body's required keys. */
  required?: string[]
}

export const PARAMETER_MODEL = '20241004-11parameter'
export const TOOL_PARAMETERS = '{"type":"object","properties":{"city":{"type":"string"}}}'

const createBodies: Record<Resource, Record<string, unknown>> = {
  prompts: { name: 'Route prompt', text: 'You are helpful.' },
  tools: { name: 'route_tool', parameters: TOOL_PARAMETERS },
  configs: { name: 'Route config', evi_version: '3' },
  custom_voices: { name: 'ROUTE VOICE', base_voice: 'ITO', parameter_model: PARAMETER_MODEL },
}
const versionBodies: Record<Resource, Record<string, unknown>> = {
  prompts: { text: 'A newer text.' },
  tools: { parameters: TOOL_PARAMETERS },
  configs: { evi_version: '3' },
  custom_voices: createBodies.custom_voices,
}

function versioned(resource: Exclude<Resource, 'custom_voices'>): EviRoute[] {
  const base = `/v0/evi/${resource}`
  const create = createBodies[resource]
  const version = versionBodies[resource]
  return [
    { resource, op: 'list', method: 'GET', path: base, ok: 200 },
    { resource, op: 'create', method: 'POST', path: base, ok: 201, body: create, required: Object.keys(create) },
    { resource, op: 'listVersions', method: 'GET', path: `${base}/{id}`, ok: 200 },
    {
      resource,
      op: 'createVersion',
      method: 'POST',
      path: `${base}/{id}`,
      ok: 201,
      body: version,
      required: Object.keys(version),
    },
    { resource, op: 'delete', method: 'DELETE', path: `${base}/{id}`, ok: 200 },
    {
      resource,
      op: 'rename',
      method: 'PATCH',
      path: `${base}/{id}`,
      ok: 200,
      body: { name: 'Renamed' },
      required: ['name'],
    },
    { resource, op: 'getVersion', method: 'GET', path: `${base}/{id}/version/{version}`, ok: 200 },
    { resource, op: 'deleteVersion', method: 'DELETE', path: `${base}/{id}/version/{version}`, ok: 200 },
    {
      resource,
      op: 'updateDescription',
      method: 'PATCH',
      path: `${base}/{id}/version/{version}`,
      ok: 200,
      body: { version_description: 'Described' },
      required: [],
    },
  ]
}

const voice = createBodies.custom_voices
const customVoices: EviRoute[] = [
  { resource: 'custom_voices', op: 'list', method: 'GET', path: '/v0/evi/custom_voices', ok: 200 },
  {
    resource: 'custom_voices',
    op: 'create',
    method: 'POST',
    path: '/v0/evi/custom_voices',
    ok: 201,
    body: voice,
    required: Object.keys(voice),
  },
  { resource: 'custom_voices', op: 'get', method: 'GET', path: '/v0/evi/custom_voices/{id}', ok: 200 },
  {
    resource: 'custom_voices',
    op: 'createVersion',
    method: 'POST',
    path: '/v0/evi/custom_voices/{id}',
    ok: 201,
    body: voice,
    required: Object.keys(voice),
  },
  { resource: 'custom_voices', op: 'delete', method: 'DELETE', path: '/v0/evi/custom_voices/{id}', ok: 200 },
  {
    resource: 'custom_voices',
    op: 'rename',
    method: 'PATCH',
    path: '/v0/evi/custom_voices/{id}',
    ok: 200,
    body: { name: 'RENAMED' },
    required: ['name'],
  },
]

export const EVI_ROUTES: readonly EviRoute[] = [
  ...versioned('prompts'),
  ...versioned('tools'),
  ...versioned('configs'),
  ...customVoices,
]

export const routeLabel = (r: Pick<EviRoute, 'method' | 'path'>) => `${r.method} ${r.path}`
export const isList = (r: EviRoute) => r.op === 'list' || r.op === 'listVersions'

/** Fills the placeholders; ids and versions are used verbatim, so they may be deliberately bad. */
export function routeUrl(r: EviRoute, ids: { id?: string; version?: string | number } = {}, query = ''): string {
  const path = r.path.replace('{id}', ids.id ?? '').replace('{version}', String(ids.version ?? 0))
  return query ? `${path}?${query}` : path
}

export type Who = 'alice' | 'bob'

export function call(
  t: TestApp,
  method: Method,
  url: string,
  opts: { who?: Who; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...t.auth(opts.who ?? 'alice') }
  let payload: string | undefined
  if (opts.raw !== undefined) payload = opts.raw
  else if (opts.body !== undefined) payload = JSON.stringify(opts.body)
  if (payload !== undefined) headers['content-type'] = 'application/json'
  return t.app.inject({ method, url, payload, headers: { ...headers, ...opts.headers } })
}

/** Creates a resource with versions 0 and 1 for `who`; returns its id. */
export async function seed(t: TestApp, resource: Resource, who: Who = 'alice', name?: string): Promise<string> {
  const base = `/v0/evi/${resource}`
  const body = { ...createBodies[resource], ...(name ? { name } : {}) }
  const created = await call(t, 'POST', base, { who, body })
  expect(created.statusCode, created.body).toBe(201)
  const id = (created.json() as { id: string }).id
  // A custom voice's new version is a whole voice again, name included.
  const nextBody = resource === 'custom_voices' ? body : versionBodies[resource]
  const next = await call(t, 'POST', `${base}/${id}`, { who, body: nextBody })
  expect(next.statusCode, next.body).toBe(201)
  return id
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
}

/**
 * Asserts Hume's EVI error answer: the exact 4xx, `{code, error, message}` and nothing else, an
 * x-request-id header, and, when given, a message naming the field. Never a 5xx.
 */
export function expectError(
  res: LightMyRequestResponse,
  status: number,
  expected: { code?: string; mentions?: string | RegExp } = {},
): void {
  const what = `${res.statusCode} ${res.body.slice(0, 300)}`
  expect(res.statusCode, `a server error: ${what}`).toBeLessThan(500)
  expect(res.statusCode, what).toBe(status)
  expect(res.headers['x-request-id'], 'x-request-id header').toEqual(expect.any(String))
  expect(res.headers['content-type'], what).toMatch(/^application\/json/)
  const body = res.json() as Record<string, unknown>
  expect(Object.keys(body).sort(), what).toEqual(['code', 'error', 'message'])
  expectWire(serialization.empathicVoice.ErrorResponse, body, 'error body')
  expect(body.error, what).toBe(REASONS[status])
  expect(body.code, what).toEqual(expected.code ?? expect.any(String))
  expect(body.message, what).toEqual(expect.any(String))
  if (expected.mentions !== undefined) expect(body.message, what).toMatch(expected.mentions)
}
