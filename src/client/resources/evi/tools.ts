import type { ApiPromise, HttpClient } from '../../core/http.js'
import type { RequestOptions } from '../../core/options.js'
import type { Page } from '../../core/pager.js'
import type {
  ListVersionedRequest,
  ListVersionsRequest,
  PostedUserDefinedTool,
  PostedUserDefinedToolName,
  PostedUserDefinedToolVersion,
  PostedUserDefinedToolVersionDescription,
  ReturnPagedUserDefinedTools,
  ReturnUserDefinedTool,
} from '../../types/evi.js'
import { VersionedRoutes } from './versioned.js'

/** `client.empathicVoice.tools`: user-defined tools, `/v0/evi/tools`, versioned. */
export class ToolsClient {
  private readonly routes: VersionedRoutes<'toolsPage', ReturnUserDefinedTool>

  constructor(http: HttpClient) {
    this.routes = new VersionedRoutes(http, '/v0/evi/tools', 'toolsPage')
  }

  /** Lists the account's tools (`GET /v0/evi/tools`); `for await` walks every page. */
  listTools(
    request: ListVersionedRequest = {},
    requestOptions?: RequestOptions,
  ): Promise<Page<ReturnUserDefinedTool, ReturnPagedUserDefinedTools>> {
    return this.routes.pages(request, requestOptions)
  }

  /** Creates a tool at version 0 (`POST /v0/evi/tools`). */
  createTool(request: PostedUserDefinedTool, requestOptions?: RequestOptions): ApiPromise<ReturnUserDefinedTool> {
    return this.routes.create(request, requestOptions)
  }

  /** Lists a tool's versions (`GET /v0/evi/tools/{id}`); `for await` walks every page. */
  listToolVersions(
    id: string,
    request: ListVersionsRequest = {},
    requestOptions?: RequestOptions,
  ): Promise<Page<ReturnUserDefinedTool, ReturnPagedUserDefinedTools>> {
    return this.routes.pages(request, requestOptions, id)
  }

  /** Adds a version to a tool (`POST /v0/evi/tools/{id}`). */
  createToolVersion(
    id: string,
    request: PostedUserDefinedToolVersion,
    requestOptions?: RequestOptions,
  ): ApiPromise<ReturnUserDefinedTool> {
    return this.routes.createVersion(id, request, requestOptions)
  }

  /** Deletes a tool and all its versions (`DELETE /v0/evi/tools/{id}`). */
  deleteTool(id: string, requestOptions?: RequestOptions): ApiPromise<void> {
    return this.routes.delete(id, requestOptions)
  }

  /** Renames a tool, every version (`PATCH /v0/evi/tools/{id}`); resolves to the response text. */
  updateToolName(id: string, request: PostedUserDefinedToolName, requestOptions?: RequestOptions): ApiPromise<string> {
    return this.routes.rename(id, request, requestOptions)
  }

  /** One version of a tool (`GET /v0/evi/tools/{id}/version/{version}`). */
  getToolVersion(id: string, version: number, requestOptions?: RequestOptions): ApiPromise<ReturnUserDefinedTool> {
    return this.routes.getVersion(id, version, requestOptions)
  }

  /** Deletes one version of a tool (`DELETE /v0/evi/tools/{id}/version/{version}`). */
  deleteToolVersion(id: string, version: number, requestOptions?: RequestOptions): ApiPromise<void> {
    return this.routes.deleteVersion(id, version, requestOptions)
  }

  /** Sets a version's description (`PATCH /v0/evi/tools/{id}/version/{version}`). */
  updateToolDescription(
    id: string,
    version: number,
    request: PostedUserDefinedToolVersionDescription = {},
    requestOptions?: RequestOptions,
  ): ApiPromise<ReturnUserDefinedTool> {
    return this.routes.updateDescription(id, version, request, requestOptions)
  }
}
