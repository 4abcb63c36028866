import type { ApiPromise, HttpClient } from '../../core/http.js'
import type { RequestOptions } from '../../core/options.js'
import type { Page } from '../../core/pager.js'
import type {
  ListVersionedRequest,
  ListVersionsRequest,
  PostedConfig,
  PostedConfigName,
  PostedConfigVersion,
  PostedConfigVersionDescription,
  ReturnConfig,
  ReturnPagedConfigs,
} from '../../types/evi.js'
import { VersionedRoutes } from './versioned.js'

/** `client.empathicVoice.configs`: EVI configs, `/v0/evi/configs`, versioned. */
export class ConfigsClient {
  private readonly routes: VersionedRoutes<'configsPage', ReturnConfig>

  constructor(http: HttpClient) {
    this.routes = new VersionedRoutes(http, '/v0/evi/configs', 'configsPage')
  }

  /** Lists the account's configs (`GET /v0/evi/configs`); `for await` walks every page. */
  listConfigs(
    request: ListVersionedRequest = {},
    requestOptions?: RequestOptions,
  ): Promise<Page<ReturnConfig, ReturnPagedConfigs>> {
    return this.routes.pages(request, requestOptions)
  }

  /** Creates a config at version 0 (`POST /v0/evi/configs`). */
  createConfig(request: PostedConfig, requestOptions?: RequestOptions): ApiPromise<ReturnConfig> {
    return this.routes.create(request, requestOptions)
  }

  /** Lists a config's versions (`GET /v0/evi/configs/{id}`); `for await` walks every page. */
  listConfigVersions(
    id: string,
    request: ListVersionsRequest = {},
    requestOptions?: RequestOptions,
  ): Promise<Page<ReturnConfig, ReturnPagedConfigs>> {
    return this.routes.pages(request, requestOptions, id)
  }

  /** Adds a version to a config (`POST /v0/evi/configs/{id}`). */
  createConfigVersion(
    id: string,
    request: PostedConfigVersion,
    requestOptions?: RequestOptions,
  ): ApiPromise<ReturnConfig> {
    return this.routes.createVersion(id, request, requestOptions)
  }

  /** Deletes a config and all its versions (`DELETE /v0/evi/configs/{id}`). */
  deleteConfig(id: string, requestOptions?: RequestOptions): ApiPromise<void> {
    return this.routes.delete(id, requestOptions)
  }

  /** Renames a config, every version (`PATCH /v0/evi/configs/{id}`); resolves to the response text. */
  updateConfigName(id: string, request: PostedConfigName, requestOptions?: RequestOptions): ApiPromise<string> {
    return this.routes.rename(id, request, requestOptions)
  }

  /** One version of a config (`GET /v0/evi/configs/{id}/version/{version}`). */
  getConfigVersion(id: string, version: number, requestOptions?: RequestOptions): ApiPromise<ReturnConfig> {
    return this.routes.getVersion(id, version, requestOptions)
  }

  /** Deletes one version of a config (`DELETE /v0/evi/configs/{id}/version/{version}`). */
  deleteConfigVersion(id: string, version: number, requestOptions?: RequestOptions): ApiPromise<void> {
    return this.routes.deleteVersion(id, version, requestOptions)
  }

  /** Sets a version's description (`PATCH /v0/evi/configs/{id}/version/{version}`). */
  updateConfigDescription(
    id: string,
    version: number,
    request: PostedConfigVersionDescription = {},
    requestOptions?: RequestOptions,
  ): ApiPromise<ReturnConfig> {
    return this.routes.updateDescription(id, version, request, requestOptions)
  }
}
