import type { ApiPromise, HttpClient } from '../../core/http.js'
import type { RequestOptions } from '../../core/options.js'
import type { Page } from '../../core/pager.js'
import type {
  ListVersionedRequest,
  ListVersionsRequest,
  PostedPrompt,
  PostedPromptName,
  PostedPromptVersion,
  PostedPromptVersionDescription,
  ReturnPagedPrompts,
  ReturnPrompt,
} from '../../types/evi.js'
import { VersionedRoutes } from './versioned.js'

/** `client.empathicVoice.prompts`: system prompts, `/v0/evi/prompts`, versioned. */
export class PromptsClient {
  private readonly routes: VersionedRoutes<'promptsPage', ReturnPrompt>

  constructor(http: HttpClient) {
    this.routes = new VersionedRoutes(http, '/v0/evi/prompts', 'promptsPage')
  }

  /** Lists the account's prompts (`GET /v0/evi/prompts`); `for await` walks every page. */
  listPrompts(
    request: ListVersionedRequest = {},
    requestOptions?: RequestOptions,
  ): Promise<Page<ReturnPrompt, ReturnPagedPrompts>> {
    return this.routes.pages(request, requestOptions)
  }

  /** Creates a prompt at version 0 (`POST /v0/evi/prompts`). */
  createPrompt(request: PostedPrompt, requestOptions?: RequestOptions): ApiPromise<ReturnPrompt> {
    return this.routes.create(request, requestOptions)
  }

  /**
   * One page of a prompt's versions (`GET /v0/evi/prompts/{id}`). Unlike the other version listings,
   * hume@0.16.0 returns the page object itself here, not a pager, and so does this client.
   */
  listPromptVersions(
    id: string,
    request: ListVersionsRequest = {},
    requestOptions?: RequestOptions,
  ): ApiPromise<ReturnPagedPrompts> {
    return this.routes.versionsPage(id, request, requestOptions)
  }

  /** Adds a version to a prompt (`POST /v0/evi/prompts/{id}`). */
  createPromptVersion(
    id: string,
    request: PostedPromptVersion,
    requestOptions?: RequestOptions,
  ): ApiPromise<ReturnPrompt> {
    return this.routes.createVersion(id, request, requestOptions)
  }

  /** Deletes a prompt and all its versions (`DELETE /v0/evi/prompts/{id}`). */
  deletePrompt(id: string, requestOptions?: RequestOptions): ApiPromise<void> {
    return this.routes.delete(id, requestOptions)
  }

  /** Renames a prompt, every version (`PATCH /v0/evi/prompts/{id}`); resolves to the response text. */
  updatePromptName(id: string, request: PostedPromptName, requestOptions?: RequestOptions): ApiPromise<string> {
    return this.routes.rename(id, request, requestOptions)
  }

  /** One version of a prompt (`GET /v0/evi/prompts/{id}/version/{version}`). */
  getPromptVersion(id: string, version: number, requestOptions?: RequestOptions): ApiPromise<ReturnPrompt> {
    return this.routes.getVersion(id, version, requestOptions)
  }

  /** Deletes one version of a prompt (`DELETE /v0/evi/prompts/{id}/version/{version}`). */
  deletePromptVersion(id: string, version: number, requestOptions?: RequestOptions): ApiPromise<void> {
    return this.routes.deleteVersion(id, version, requestOptions)
  }

  /** Sets a version's description (`PATCH /v0/evi/prompts/{id}/version/{version}`). */
  updatePromptDescription(
    id: string,
    version: number,
    request: PostedPromptVersionDescription = {},
    requestOptions?: RequestOptions,
  ): ApiPromise<ReturnPrompt> {
    return this.routes.updateDescription(id, version, request, requestOptions)
  }
}
