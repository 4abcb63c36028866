import type { Static } from 'typebox'
import type { ApiPromise, HttpClient } from '../../core/http.js'
import type { RequestOptions } from '../../core/options.js'
import { numberedPages, type Page } from '../../core/pager.js'
import type * as S from '../../../domains/tts/tts.schemas.js'
import type {
  PostedVoice,
  ReturnPagedVoices,
  ReturnVoice,
  VoicesDeleteRequest,
  VoicesListRequest,
} from '../../types/tts.js'

/** `client.tts.voices`: Hume's preset library (`HUME_AI`) and the account's saved voices (`CUSTOM_VOICE`). */
export class VoicesClient {
  constructor(private readonly http: HttpClient) {}

  /**
   * Lists voices of one `provider` (`GET /v0/tts/voices`), starting at `pageNumber` (default 0): iterate the
   * page with `for await` for every voice, or `iterPages()` for the pages.
   */
  list(request: VoicesListRequest, requestOptions?: RequestOptions): Promise<Page<ReturnVoice, ReturnPagedVoices>> {
    const { pageNumber, ...query } = request
    return numberedPages<ReturnVoice, ReturnPagedVoices>({
      first: pageNumber ?? 0,
      load: (n) =>
        this.http.json<Static<typeof S.ReturnPagedVoices>>(
          { method: 'GET', path: '/v0/tts/voices', query: { ...query, pageNumber: n } },
          requestOptions,
        ),
      items: (page) => page.voicesPage,
    })
  }

  /** Saves the voice of a TTS generation under a name (`POST /v0/tts/voices`); 422 if either is unusable. */
  create(request: PostedVoice, requestOptions?: RequestOptions): ApiPromise<ReturnVoice> {
    return this.http.json<S.ReturnVoice>({ method: 'POST', path: '/v0/tts/voices', body: request }, requestOptions)
  }

  /** Deletes a saved voice by name (`DELETE /v0/tts/voices?name=`); 404 if the account has none by that name. */
  delete(request: VoicesDeleteRequest, requestOptions?: RequestOptions): ApiPromise<void> {
    return this.http.void({ method: 'DELETE', path: '/v0/tts/voices', query: { name: request.name } }, requestOptions)
  }
}
