import { encodePath, type ApiPromise, type HttpClient, type HttpRequest, type QueryValue } from '../../core/http.js'
import type { RequestOptions } from '../../core/options.js'
import { numberedPages, type Page } from '../../core/pager.js'
import type { Paged, PageRequest, PostedName, PostedVersionDescription } from '../../types/evi.js'

/** A request object (camelCase keys) as the transport's query. */
export function asQuery(request: object): Record<string, QueryValue> {
  return request as Record<string, QueryValue>
}

/**
 * A JSON call whose result type is already the camelCased wire type (the transport camelCases the
 * body to match it).
 */
export function jsonAs<T>(http: HttpClient, req: HttpRequest, opts?: RequestOptions): ApiPromise<T> {
  return http.json<unknown>(req, opts) as ApiPromise<T>
}

/** Hume's numbered listings as a pager: `for await` walks every item from the requested page on. */
export function pagerOf<R extends { pageNumber?: number; totalPages?: number }, Item>(
  http: HttpClient,
  path: string,
  request: PageRequest,
  opts: RequestOptions | undefined,
  items: (response: R) => Item[],
): Promise<Page<Item, R>> {
  return numberedPages<Item, R>({
    first: request.pageNumber ?? 0,
    load: (pageNumber) => jsonAs<R>(http, { method: 'GET', path, query: asQuery({ ...request, pageNumber }) }, opts),
    items,
  })
}

/**
 * The routes every versioned EVI resource shares (src/domains/evi/versions.routes.ts), under `base`
 * (`/v0/evi/prompts`, …) with its page array named `pageKey` (camelCased: `promptsPage`, …). Each
 * resource class gives these the official SDK's method names.
 */
export class VersionedRoutes<K extends string, Item> {
  constructor(
    private readonly http: HttpClient,
    private readonly base: string,
    private readonly pageKey: K,
  ) {}

  private at(id: string, version?: number): string {
    const path = `${this.base}/${encodePath(id)}`
    return version === undefined ? path : `${path}/version/${encodePath(version)}`
  }

  /** GET base, or GET base/{id} (the versions) when `id` is given, as a pager. */
  pages(request: PageRequest, opts: RequestOptions | undefined, id?: string): Promise<Page<Item, Paged<K, Item>>> {
    const path = id === undefined ? this.base : this.at(id)
    return pagerOf<Paged<K, Item>, Item>(this.http, path, request, opts, (r) => r[this.pageKey])
  }

  /** One page of GET base/{id}: the versions, as the server sends them. */
  versionsPage(id: string, request: PageRequest, opts?: RequestOptions): ApiPromise<Paged<K, Item>> {
    return jsonAs(this.http, { method: 'GET', path: this.at(id), query: asQuery(request) }, opts)
  }

  create(body: object, opts?: RequestOptions): ApiPromise<Item> {
    return jsonAs(this.http, { method: 'POST', path: this.base, body }, opts)
  }

  createVersion(id: string, body: object, opts?: RequestOptions): ApiPromise<Item> {
    return jsonAs(this.http, { method: 'POST', path: this.at(id), body }, opts)
  }

  /** GET base/{id}: the latest version (custom voices only; the others list versions there). */
  getLatest(id: string, opts?: RequestOptions): ApiPromise<Item> {
    return jsonAs(this.http, { method: 'GET', path: this.at(id) }, opts)
  }

  getVersion(id: string, version: number, opts?: RequestOptions): ApiPromise<Item> {
    return jsonAs(this.http, { method: 'GET', path: this.at(id, version) }, opts)
  }

  delete(id: string, opts?: RequestOptions): ApiPromise<void> {
    return this.http.void({ method: 'DELETE', path: this.at(id) }, opts)
  }

  deleteVersion(id: string, version: number, opts?: RequestOptions): ApiPromise<void> {
    return this.http.void({ method: 'DELETE', path: this.at(id, version) }, opts)
  }

  /** Hume answers a rename with a text body (empty on Prosodia), which the SDK resolves as a string. */
  rename(id: string, body: PostedName, opts?: RequestOptions): ApiPromise<string> {
    return this.http.text({ method: 'PATCH', path: this.at(id), body }, opts)
  }

  updateDescription(
    id: string,
    version: number,
    body: PostedVersionDescription = {},
    opts?: RequestOptions,
  ): ApiPromise<Item> {
    return jsonAs(this.http, { method: 'PATCH', path: this.at(id, version), body }, opts)
  }
}
