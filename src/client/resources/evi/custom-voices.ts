import type { ApiPromise, HttpClient } from '../../core/http.js'
import type { RequestOptions } from '../../core/options.js'
import type { Page } from '../../core/pager.js'
import type {
  ListCustomVoicesRequest,
  PostedCustomVoice,
  PostedCustomVoiceName,
  ReturnCustomVoice,
  ReturnPagedCustomVoices,
} from '../../types/evi.js'
import { VersionedRoutes } from './versioned.js'

/**
 * `client.empathicVoice.customVoices`: `/v0/evi/custom_voices`, which the official SDKs dropped with
 * EVI 3. Method names are those of the last Fern SDK that had them (hume 0.11.x); Hume upper-cases names.
 */
export class CustomVoicesClient {
  private readonly routes: VersionedRoutes<'customVoicesPage', ReturnCustomVoice>

  constructor(http: HttpClient) {
    this.routes = new VersionedRoutes(http, '/v0/evi/custom_voices', 'customVoicesPage')
  }

  /** Lists the account's custom voices (`GET /v0/evi/custom_voices`); `for await` walks every page. */
  listCustomVoices(
    request: ListCustomVoicesRequest = {},
    requestOptions?: RequestOptions,
  ): Promise<Page<ReturnCustomVoice, ReturnPagedCustomVoices>> {
    return this.routes.pages(request, requestOptions)
  }

  /** Creates a custom voice at version 0 (`POST /v0/evi/custom_voices`). */
  createCustomVoice(request: PostedCustomVoice, requestOptions?: RequestOptions): ApiPromise<ReturnCustomVoice> {
    return this.routes.create(request, requestOptions)
  }

  /** The latest version of a custom voice (`GET /v0/evi/custom_voices/{id}`). */
  getCustomVoice(id: string, requestOptions?: RequestOptions): ApiPromise<ReturnCustomVoice> {
    return this.routes.getLatest(id, requestOptions)
  }

  /** Adds a version (`POST /v0/evi/custom_voices/{id}`); its name renames every version. */
  createCustomVoiceVersion(
    id: string,
    request: PostedCustomVoice,
    requestOptions?: RequestOptions,
  ): ApiPromise<ReturnCustomVoice> {
    return this.routes.createVersion(id, request, requestOptions)
  }

  /** Deletes a custom voice and all its versions (`DELETE /v0/evi/custom_voices/{id}`). */
  deleteCustomVoice(id: string, requestOptions?: RequestOptions): ApiPromise<void> {
    return this.routes.delete(id, requestOptions)
  }

  /** Renames a custom voice (`PATCH /v0/evi/custom_voices/{id}`); resolves to the response text. */
  updateCustomVoiceName(
    id: string,
    request: PostedCustomVoiceName,
    requestOptions?: RequestOptions,
  ): ApiPromise<string> {
    return this.routes.rename(id, request, requestOptions)
  }
}
