/**
 * The configured speech recogniser. Created lazily inside each worker thread that needs one
 * (nothing here is a process-wide singleton), from plain config values.
 */
import { AsrError, type AsrProvider } from './asr.js'
import { OpenAiAsrProvider } from './openai.js'
import { PocketsphinxProvider, pocketsphinxAvailable, type PocketsphinxOptions } from './pocketsphinx.js'

export * from './asr.js'
export { OpenAiAsrProvider, parseVerboseJson, transcriptionsUrl } from './openai.js'
export { PocketsphinxProvider, pocketsphinxAvailable, parsePocketsphinxOutput } from './pocketsphinx.js'

export interface AsrProviderConfig {
  /** auto: pocketsphinx when installed, else none. */
  provider: 'auto' | 'pocketsphinx' | 'openai' | 'none'
  /** Base URL of an OpenAI-compatible server (openai). */
  url?: string | undefined
  apiKey?: string | undefined
  model?: string | undefined
  /** Private hosts/CIDRs the openai URL may resolve to. */
  fetchAllowList?: readonly string[]
  timeoutMs?: number | undefined
  pocketsphinx?: PocketsphinxOptions
}

export const POCKETSPHINX_MISSING =
  'pocketsphinx is not installed on the server (Debian: apt install pocketsphinx pocketsphinx-en-us)'

/** The provider, or null when transcription is off (or auto found nothing installed). */
export async function createAsrProvider(cfg: AsrProviderConfig): Promise<AsrProvider | null> {
  switch (cfg.provider) {
    case 'none':
      return null
    case 'auto':
      return (await pocketsphinxAvailable(cfg.pocketsphinx)) ? new PocketsphinxProvider(cfg.pocketsphinx) : null
    case 'pocketsphinx':
      if (!(await pocketsphinxAvailable(cfg.pocketsphinx))) throw new AsrError('unavailable', POCKETSPHINX_MISSING)
      return new PocketsphinxProvider(cfg.pocketsphinx)
    case 'openai':
      if (!cfg.url) throw new AsrError('unavailable', 'the openai transcription provider needs a server URL')
      return new OpenAiAsrProvider({
        url: cfg.url,
        apiKey: cfg.apiKey,
        ...(cfg.model && { model: cfg.model }),
        allowList: cfg.fetchAllowList ?? [],
        ...(cfg.timeoutMs && { timeoutMs: cfg.timeoutMs }),
      })
  }
}
