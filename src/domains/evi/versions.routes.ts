import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type, type TSchema } from 'typebox'
import type { PageCache } from '../../shared/http/page-cache.js'
import { PageQuery } from '../../shared/http/pagination.js'
import { EmptyBody, errorResponses, IdParams, IdVersionParams, NO_NUL } from '../../shared/http/schemas.js'
import type { VersionedService } from './versions.service.js'
import { Name, VersionDescription } from './versions.schemas.js'

export { Name, VersionDescription }

export interface VersionedRouteSpec<T> {
  /** e.g. `/v0/evi/prompts` */
  base: string
  /** OpenAPI tag, e.g. "Prompts". */
  tag: string
  /** The page array's name in list responses, e.g. `prompts_page`. */
  pageKey: string
  service: VersionedService<T>
  Return: TSchema
  /** Body of create: must include `name` and may include `version_description`. */
  PostedCreate: TSchema
  /** Body of create-version. */
  PostedVersion: TSchema
  /** The resource-specific part of a posted body, as stored in the payload column. */
  toPayload: (body: Record<string, unknown>, accountId: string) => unknown | Promise<unknown>
  /** Serialised list pages, shared by all versioned resources (keys include the route). */
  pageCache?: PageCache
  /** Custom voices have only list, create, get-latest, create-version, rename and delete. */
  legacyCustomVoice?: boolean
  /** The schema of a name (custom voices allow 75 characters) and how it is stored (they upper-case). */
  NameSchema?: TSchema
  normalizeName?: (name: string) => string
}

type Body = Record<string, unknown> & { name?: string; version_description?: string }
type Query = PageQuery & { name?: string; restrict_to_most_recent?: boolean }

/**
 * Registers the routes every versioned EVI resource has, with the exact methods, paths and
 * statuses of Hume's definition. Handlers only read input, call one service method and send.
 */
export function registerVersionedRoutes<T>(plugin: FastifyInstance, spec: VersionedRouteSpec<T>): void {
  // Path params are typed from their schemas; bodies and list queries vary with the resource, so
  // those few reads name their shape.
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>()
  const { base, service, pageKey, Return } = spec
  const tags = [spec.tag]
  const Paged = Type.Object({
    page_number: Type.Integer(),
    page_size: Type.Integer(),
    total_pages: Type.Integer(),
    [pageKey]: Type.Array(Return),
  })
  const paged = (p: { items: T[]; page_number: number; page_size: number; total_pages: number }) => ({
    page_number: p.page_number,
    page_size: p.page_size,
    total_pages: p.total_pages,
    [pageKey]: p.items,
  })
  const listQuery = Type.Object({
    ...PageQuery.properties,
    name: Type.Optional(Type.String({ maxLength: 256, pattern: NO_NUL })),
    ...(spec.legacyCustomVoice ? {} : { restrict_to_most_recent: Type.Optional(Type.Boolean()) }),
  })
  const versionsQuery = Type.Object({ ...PageQuery.properties, restrict_to_most_recent: Type.Optional(Type.Boolean()) })
  const NameBody = Type.Object({ name: spec.NameSchema ?? Name })
  const normalize = spec.normalizeName ?? ((n: string) => n)

  // List pages are the hottest read (dashboards poll them) and the costliest (configs expand their
  // references): serve the serialised page again while the account's EVI data is unchanged.
  app.get(
    base,
    { schema: { tags, querystring: listQuery, response: { 200: Paged, ...errorResponses } } },
    async (req, reply) => {
      const q = req.query as Query
      const generation = await service.generation(req.accountId)
      const key = JSON.stringify([req.accountId, base, q.page_number, q.page_size, q.restrict_to_most_recent, q.name])
      let body = spec.pageCache?.get(key, generation)
      if (body === undefined) {
        body = reply.serialize(paged(await service.list(req.accountId, q))) as string
        spec.pageCache?.set(key, generation, body)
      }
      // A string with a JSON content type is sent as it is, not serialised again.
      return reply.type('application/json; charset=utf-8').send(body)
    },
  )

  app.post(
    base,
    { schema: { tags, body: spec.PostedCreate, response: { 201: Return, ...errorResponses } } },
    async (req, reply) => {
      const body = req.body as Body
      const payload = await spec.toPayload(body, req.accountId)
      reply.code(201)
      return service.create(req.accountId, normalize(body.name as string), body.version_description, payload)
    },
  )

  if (spec.legacyCustomVoice) {
    app.get(
      `${base}/:id`,
      { schema: { tags, params: IdParams, response: { 200: Return, ...errorResponses } } },
      async (req) => service.getLatest(req.accountId, req.params.id),
    )
  } else {
    app.get(
      `${base}/:id`,
      { schema: { tags, params: IdParams, querystring: versionsQuery, response: { 200: Paged, ...errorResponses } } },
      async (req) => paged(await service.listVersions(req.accountId, req.params.id, req.query as Query)),
    )
  }

  app.post(
    `${base}/:id`,
    { schema: { tags, params: IdParams, body: spec.PostedVersion, response: { 201: Return, ...errorResponses } } },
    async (req, reply) => {
      const body = req.body as Body
      const payload = await spec.toPayload(body, req.accountId)
      const { id } = req.params
      const created = await service.createVersion(req.accountId, id, body.version_description, payload)
      reply.code(201)
      // A custom voice version carries a name; like a rename, it applies to every version.
      if (typeof body.name !== 'string') return created
      await service.rename(req.accountId, id, normalize(body.name))
      return service.getLatest(req.accountId, id)
    },
  )

  app.delete(
    `${base}/:id`,
    { schema: { tags, params: IdParams, response: { 200: EmptyBody, ...errorResponses } } },
    async (req, reply) => {
      await service.delete(req.accountId, req.params.id)
      return reply.code(200).send()
    },
  )

  // Hume answers a rename with an empty text/plain body.
  app.patch(
    `${base}/:id`,
    { schema: { tags, params: IdParams, body: NameBody, response: { 200: Type.String(), ...errorResponses } } },
    async (req, reply) => {
      await service.rename(req.accountId, req.params.id, normalize((req.body as Body).name as string))
      return reply.code(200).type('text/plain; charset=utf-8').send('')
    },
  )

  if (spec.legacyCustomVoice) return

  app.get(
    `${base}/:id/version/:version`,
    { schema: { tags, params: IdVersionParams, response: { 200: Return, ...errorResponses } } },
    async (req) => {
      const { id, version } = req.params
      return service.getVersion(req.accountId, id, version)
    },
  )

  app.delete(
    `${base}/:id/version/:version`,
    { schema: { tags, params: IdVersionParams, response: { 200: EmptyBody, ...errorResponses } } },
    async (req, reply) => {
      const { id, version } = req.params
      await service.deleteVersion(req.accountId, id, version)
      return reply.code(200).send()
    },
  )

  app.patch(
    `${base}/:id/version/:version`,
    {
      schema: {
        tags,
        params: IdVersionParams,
        body: Type.Object({ version_description: Type.Optional(VersionDescription) }),
        response: { 200: Return, ...errorResponses },
      },
    },
    async (req) => {
      const { id, version } = req.params
      return service.updateDescription(req.accountId, id, version, (req.body as Body).version_description)
    },
  )
}
