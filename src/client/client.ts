import { HttpClient } from './core/http.js'
import type { ClientOptions } from './core/options.js'
import { EmpathicVoiceClient } from './resources/evi/index.js'
import { ExpressionMeasurementClient } from './resources/expression/index.js'
import { TtsClient } from './resources/tts/index.js'

/**
 * The Prosodia client: the official Hume SDK's resources and method names (`tts.synthesizeJson`,
 * `empathicVoice.configs.createConfig`, `expressionMeasurement.batch.startInferenceJob`, …) against your own
 * server, plus what the official SDK dropped (batch, custom voices, the expression socket).
 *
 * ```ts
 * const client = new ProsodiaClient({ apiKey, baseUrl: 'http://127.0.0.1:8000' })
 * ```
 */
export class ProsodiaClient {
  readonly tts: TtsClient
  readonly empathicVoice: EmpathicVoiceClient
  readonly expressionMeasurement: ExpressionMeasurementClient
  /** The transport every resource shares (base URL, auth, retries). */
  readonly http: HttpClient

  constructor(options: ClientOptions = {}) {
    this.http = new HttpClient(options)
    this.tts = new TtsClient(this.http)
    this.empathicVoice = new EmpathicVoiceClient(this.http)
    this.expressionMeasurement = new ExpressionMeasurementClient(this.http)
  }
}

/** The official SDK's class name, so `import { HumeClient } from 'prosodia/client'` is the whole switch. */
export { ProsodiaClient as HumeClient }
