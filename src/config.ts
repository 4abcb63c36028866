import { availableParallelism } from 'node:os'
import path from 'node:path'
import type { S3Config } from './shared/storage/s3-config.js'

/**
 * Every bound on input that can grow. Each has an environment variable (named beside it) and a
 * default that suits one machine; the README lists them all.
 */
export interface Limits {
  /** PROSODIA_BODY_LIMIT: largest non-upload request body, bytes. */
  readonly bodyBytes: number
  /** PROSODIA_REQUEST_TIMEOUT_MS: longest time to receive one whole request (a slow upload holds a socket and a file). */
  readonly requestTimeoutMs: number
  /** PROSODIA_JSON_MAX_DEPTH: deepest nesting of objects/arrays in any JSON body or socket message. */
  readonly jsonDepth: number
  /** PROSODIA_UPLOAD_MAX_FILE_BYTES: largest uploaded file (multipart part) or downloaded URL, bytes. */
  readonly uploadFileBytes: number
  /** PROSODIA_UPLOAD_MAX_REQUEST_BYTES: largest total of the files of one multipart request, bytes. */
  readonly uploadRequestBytes: number
  /** PROSODIA_UPLOAD_MAX_FILES: most files in one multipart request. */
  readonly uploadFiles: number
  /** PROSODIA_UPLOAD_IDLE_MS: an upload that sends no bytes for this long is refused (a stalled or vanished client). */
  readonly uploadIdleMs: number
  /** PROSODIA_BATCH_MAX_FILE_CHARS: most characters analysed from one text file (or `text` entry). */
  readonly batchFileChars: number
  /** PROSODIA_BATCH_MAX_JOB_CHARS: most characters analysed in one batch job, all sources together. */
  readonly batchJobChars: number
  /** PROSODIA_BATCH_MAX_PREDICTIONS: most predictions (words, sentences, entities...) one job returns. */
  readonly batchPredictions: number
  /** PROSODIA_BATCH_MAX_JOB_SECONDS: a job still running after this long is stopped and FAILED. */
  readonly batchJobSeconds: number
  /** PROSODIA_MEDIA_MAX_SECONDS: longest audio or video file analysed (Hume: one hour). */
  readonly mediaSeconds: number
  /** PROSODIA_IMAGE_MAX_PIXELS: largest image decoded (width × height), checked from its header. */
  readonly imagePixels: number
  /** PROSODIA_ARCHIVE_MAX_ENTRIES / _MAX_ENTRY_BYTES / _MAX_TOTAL_BYTES: the archive (bomb) guard. */
  readonly archiveEntries: number
  readonly archiveEntryBytes: number
  readonly archiveTotalBytes: number
  /** PROSODIA_EVI_MAX_CONFIG_BYTES: largest config once its prompt and tools are expanded (JSON bytes). */
  readonly eviConfigBytes: number
  /**
   * PROSODIA_MAX_PAGE_BYTES: largest list response (an EVI page with its references expanded, a page
   * of batch jobs with their requests), sized before it is built; a larger one asks for a smaller page.
   */
  readonly pageBytes: number
  /** PROSODIA_TTS_MAX_REQUEST_CHARS: most characters of speech one TTS request renders (text × generations). */
  readonly ttsRequestChars: number
  /** PROSODIA_TTS_MAX_QUEUE: TTS renders waiting for a thread before new ones answer 503. */
  readonly ttsQueue: number
  /** PROSODIA_TTS_MAX_CONCURRENT_PER_ACCOUNT: TTS HTTP requests one account may have in flight (429 beyond). */
  readonly ttsConcurrentPerAccount: number
  /** PROSODIA_SOCKET_IDLE_TIMEOUT_MS: an HTTP connection with no bytes in or out for this long is closed (a client that stopped reading). */
  readonly socketIdleMs: number
  /** PROSODIA_WS_IDLE_TIMEOUT_MS: a socket with no client message and no work in progress for this long is closed. */
  readonly wsIdleMs: number
  /** PROSODIA_WS_MAX_MESSAGES_PER_SECOND: sustained client messages per second per socket (bursts of 2 s allowed). */
  readonly wsMessagesPerSecond: number
  /** PROSODIA_WS_MAX_MESSAGE_BYTES: largest client message on a socket. */
  readonly wsMessageBytes: number
  /** PROSODIA_WS_MAX_SOCKETS_PER_ACCOUNT: concurrent sockets one account may hold on this server. */
  readonly wsSocketsPerAccount: number
  /** PROSODIA_WS_MAX_BUFFERED_BYTES: output a socket's client has not read before the server waits for it (and closes it if it never reads). */
  readonly wsBufferedBytes: number
  /** PROSODIA_EVI_MAX_CHATS_PER_ACCOUNT: EVI chats one account may hold open at once on this server. */
  readonly eviChatsPerAccount: number
  /** PROSODIA_EVI_MAX_MESSAGES_PER_SECOND: client messages per second on the EVI chat socket (audio comes every 20 ms). */
  readonly eviMessagesPerSecond: number
  /** PROSODIA_EVI_HISTORY_MESSAGES: most recent messages of a conversation sent to the language model. */
  readonly eviHistoryMessages: number
  /** PROSODIA_EVI_HISTORY_CHARS: most characters of conversation sent to the language model (oldest dropped first). */
  readonly eviHistoryChars: number
  /** PROSODIA_EVI_MAX_CHAT_SECONDS: longest chat, whatever its config says (a config's max_duration may be off). */
  readonly eviChatSeconds: number
  /** PROSODIA_EVI_MAX_EVENTS_PER_CHAT: history events one chat records; later ones are logged as dropped. */
  readonly eviEventsPerChat: number
  /** PROSODIA_EVI_MAX_TURN_SECONDS: longest single user turn; longer speech is cut into turns of this length. */
  readonly eviTurnSeconds: number
  /** PROSODIA_EVI_MAX_INPUT_TEXT_CHARS: longest user_input / assistant_input / system prompt / context text. */
  readonly eviInputChars: number
}

/** Everything the server reads from its environment, validated once at start-up. */
export interface Config {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  /** `postgres://...` selects PostgreSQL; otherwise SQLite in `dataDir`. */
  readonly databaseUrl: string | undefined
  /** If set, an account authenticated by this key is ensured at start (dev and CI). */
  readonly bootstrapApiKey: string | undefined
  readonly logLevel: string
  /** Lifetime of `/oauth2-cc/token` access tokens, seconds. */
  readonly tokenTtlSeconds: number
  readonly modelsDir: string
  /** Where blobs (uploads, results, artifacts) live: `$PROSODIA_DATA_DIR/blobs` by default. */
  readonly blobDir: string
  /** S3_BUCKET (and S3_ENDPOINT, S3_REGION, S3_PREFIX): blobs on S3 instead of blobDir; unset: local disk. */
  readonly s3: S3Config | undefined
  /** Hosts or CIDRs that outbound fetches may reach even though they are private (SSRF allow-list). */
  readonly fetchAllowList: readonly string[]
  /** Bytes of serialised EVI list pages kept per process (0: off); the database keeps them correct. */
  readonly pageCacheBytes: number
  /** PROSODIA_TTS_THREADS: synthesis worker threads (0: on the event loop, for debugging). */
  readonly ttsThreads: number
  /** PROSODIA_EXPRESSION_THREADS: batch worker threads (extraction, inference); 0: on the event loop. */
  readonly expressionThreads: number
  /** How long a claimed queue job stays leased: how soon a job held by a killed process runs again. */
  readonly queueLeaseMs: number
  /** REDIS_URL: the queue on Redis (BullMQ) instead of the database's queue table; unset: the SQL queue. */
  readonly redisUrl: string | undefined
  /** REDIS_PREFIX: the namespace of every Redis key (several deployments, or test files, can share a server). */
  readonly redisPrefix: string
  /** PROSODIA_METRICS_TOKEN: Bearer token for GET /metrics; unset, only loopback clients may scrape. */
  readonly metricsToken: string | undefined
  /** PROSODIA_METRICS_PORT: where `npm run worker` serves /metrics, /healthz and /readyz; unset: no HTTP. */
  readonly metricsPort: number | undefined
  readonly media: MediaConfig
  readonly evi: EviConfig
  readonly limits: Limits
}

/** Speech recognition for audio and video (see src/shared/asr): which provider, and where. */
export interface AsrConfig {
  /** PROSODIA_ASR: auto (pocketsphinx when installed, else none), pocketsphinx, openai or none. */
  readonly provider: 'auto' | 'pocketsphinx' | 'openai' | 'none'
  /** PROSODIA_ASR_URL: base URL of an OpenAI-compatible server (…/v1/audio/transcriptions is appended). */
  readonly url: string | undefined
  /** PROSODIA_ASR_API_KEY: sent as a Bearer token to that server; never logged. */
  readonly apiKey: string | undefined
  /** PROSODIA_ASR_MODEL: the model name that server expects (default whisper-1). */
  readonly model: string
}

export interface MediaConfig {
  /** PROSODIA_FFMPEG / PROSODIA_FFPROBE: the binaries video goes through (default: on the PATH). */
  readonly ffmpeg: string
  readonly ffprobe: string
  readonly asr: AsrConfig
}

/** EVI chat: the language model the server falls back on, custom language models, webhooks. */
export interface EviConfig {
  /** PROSODIA_LLM_URL: an OpenAI-compatible base URL (…/v1) for HUME_AI configs and configs without a model. */
  readonly llmUrl: string | undefined
  /** PROSODIA_LLM_MODEL: the model name sent to it. */
  readonly llmModel: string
  /** PROSODIA_LLM_API_KEY: its bearer key, if it needs one. */
  readonly llmApiKey: string | undefined
  /** PROSODIA_CLM_URL: the CUSTOM_LANGUAGE_MODEL endpoint when model_resource is not a URL. */
  readonly clmUrl: string | undefined
  /** PROSODIA_LLM_TIMEOUT_MS: how long to wait for a language model's first token. */
  readonly llmTimeoutMs: number
  /** PROSODIA_TOOL_TIMEOUT_MS: how long a tool_call waits for tool_response / tool_error before fallback_content. */
  readonly toolTimeoutMs: number
  /** PROSODIA_SIGNING_KEY: secret for signed audio URLs and webhook signatures (default: generated once, kept in the data dir). */
  readonly signingKey: string | undefined
  /**
   * Language-model provider keys and base-URL overrides read from the environment
   * (OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY / GOOGLE_API_KEY, GROQ_API_KEY,
   * FIREWORKS_API_KEY, CEREBRAS_API_KEY, PERPLEXITY_API_KEY, SAMBANOVA_API_KEY, XAI_API_KEY, and each
   * provider's *_BASE_URL).
   */
  readonly providerEnv: Readonly<Record<string, string>>
  /**
   * PROSODIA_EVI_PROSODY_SCORES: what the chat socket's `models.prosody.scores` carry. hume@0.16.0 types
   * them as all 48 of Hume's emotions and mis-parses anything less (it logs "Failed to validate" and
   * hands the raw message to the user's code); the prosody model measures six. `omit` (default) leaves
   * `models` empty on the socket — honest and parsed cleanly — while the measured scores go to the
   * history (`emotion_features`) and to custom language models; `zero_filled` sends all 48 with the
   * unmeasured ones at 0, for apps that display scores and accept that 0 there means "not measured".
   */
  readonly prosodyScores: 'omit' | 'zero_filled'
  /** PROSODIA_WEB_SEARCH_URL: a search endpoint for the built-in web_search tool (unset: the tool answers an honest error). */
  readonly webSearchUrl: string | undefined
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`)
  }
  return value
}

const KB = 1024
const MB = 1024 * KB
const GB = 1024 * MB

function loadLimits(env: NodeJS.ProcessEnv): Limits {
  const n = (name: string, fallback: number, min: number, max: number) => integer(env, name, fallback, min, max)
  const limits: Limits = {
    bodyBytes: n('PROSODIA_BODY_LIMIT', MB, KB, GB),
    requestTimeoutMs: n('PROSODIA_REQUEST_TIMEOUT_MS', 600_000, 1000, 86_400_000),
    jsonDepth: n('PROSODIA_JSON_MAX_DEPTH', 32, 4, 256),
    uploadFileBytes: n('PROSODIA_UPLOAD_MAX_FILE_BYTES', 100 * MB, KB, 16 * GB),
    uploadRequestBytes: n('PROSODIA_UPLOAD_MAX_REQUEST_BYTES', GB, KB, 64 * GB),
    uploadFiles: n('PROSODIA_UPLOAD_MAX_FILES', 100, 1, 10_000),
    uploadIdleMs: n('PROSODIA_UPLOAD_IDLE_MS', 60_000, 100, 3_600_000),
    batchFileChars: n('PROSODIA_BATCH_MAX_FILE_CHARS', 200_000, 1, 100_000_000),
    batchJobChars: n('PROSODIA_BATCH_MAX_JOB_CHARS', 2_000_000, 1, 1_000_000_000),
    batchPredictions: n('PROSODIA_BATCH_MAX_PREDICTIONS', 200_000, 1, 100_000_000),
    batchJobSeconds: n('PROSODIA_BATCH_MAX_JOB_SECONDS', 3600, 1, 7 * 86_400),
    mediaSeconds: n('PROSODIA_MEDIA_MAX_SECONDS', 3600, 1, 86_400),
    imagePixels: n('PROSODIA_IMAGE_MAX_PIXELS', 50_000_000, 1, 1_000_000_000),
    archiveEntries: n('PROSODIA_ARCHIVE_MAX_ENTRIES', 1000, 1, 1_000_000),
    archiveEntryBytes: n('PROSODIA_ARCHIVE_MAX_ENTRY_BYTES', 50 * MB, 1, 16 * GB),
    archiveTotalBytes: n('PROSODIA_ARCHIVE_MAX_TOTAL_BYTES', 200 * MB, 1, 64 * GB),
    eviConfigBytes: n('PROSODIA_EVI_MAX_CONFIG_BYTES', 512 * KB, KB, 64 * MB),
    pageBytes: n('PROSODIA_MAX_PAGE_BYTES', 8 * MB, 64 * KB, GB),
    ttsRequestChars: n('PROSODIA_TTS_MAX_REQUEST_CHARS', 20_000, 100, 10_000_000),
    ttsQueue: n('PROSODIA_TTS_MAX_QUEUE', 64, 1, 100_000),
    ttsConcurrentPerAccount: n('PROSODIA_TTS_MAX_CONCURRENT_PER_ACCOUNT', 4, 1, 100_000),
    socketIdleMs: n('PROSODIA_SOCKET_IDLE_TIMEOUT_MS', 300_000, 1000, 86_400_000),
    wsIdleMs: n('PROSODIA_WS_IDLE_TIMEOUT_MS', 600_000, 1000, 86_400_000),
    wsMessagesPerSecond: n('PROSODIA_WS_MAX_MESSAGES_PER_SECOND', 50, 1, 100_000),
    wsMessageBytes: n('PROSODIA_WS_MAX_MESSAGE_BYTES', MB, KB, 256 * MB),
    wsSocketsPerAccount: n('PROSODIA_WS_MAX_SOCKETS_PER_ACCOUNT', 16, 1, 100_000),
    wsBufferedBytes: n('PROSODIA_WS_MAX_BUFFERED_BYTES', 16 * MB, 64 * KB, GB),
    eviChatsPerAccount: n('PROSODIA_EVI_MAX_CHATS_PER_ACCOUNT', 5, 1, 100_000),
    eviMessagesPerSecond: n('PROSODIA_EVI_MAX_MESSAGES_PER_SECOND', 200, 1, 100_000),
    eviHistoryMessages: n('PROSODIA_EVI_HISTORY_MESSAGES', 60, 2, 100_000),
    eviHistoryChars: n('PROSODIA_EVI_HISTORY_CHARS', 48_000, 1000, 10_000_000),
    eviChatSeconds: n('PROSODIA_EVI_MAX_CHAT_SECONDS', 7200, 60, 7 * 86_400),
    eviEventsPerChat: n('PROSODIA_EVI_MAX_EVENTS_PER_CHAT', 10_000, 10, 10_000_000),
    eviTurnSeconds: n('PROSODIA_EVI_MAX_TURN_SECONDS', 60, 5, 3600),
    eviInputChars: n('PROSODIA_EVI_MAX_INPUT_TEXT_CHARS', 20_000, 100, 1_000_000),
  }
  if (limits.uploadRequestBytes < limits.uploadFileBytes)
    throw new ConfigError('PROSODIA_UPLOAD_MAX_REQUEST_BYTES must be at least PROSODIA_UPLOAD_MAX_FILE_BYTES')
  return Object.freeze(limits)
}

const ASR_PROVIDERS = ['auto', 'pocketsphinx', 'openai', 'none'] as const

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, values: readonly T[], fallback: T): T {
  const v = env[name] || fallback
  if (!values.includes(v as T)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${v}"`)
  return v as T
}

function httpUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const url = env[name] || undefined
  if (url && !/^https?:\/\//.test(url)) throw new ConfigError(`${name} must be an http(s) URL`)
  return url
}

const PROVIDERS = [
  'OPENAI',
  'ANTHROPIC',
  'GOOGLE_GENERATIVE_AI',
  'GOOGLE',
  'GROQ',
  'FIREWORKS',
  'CEREBRAS',
  'PERPLEXITY',
  'SAMBANOVA',
  'XAI',
]

function loadEvi(env: NodeJS.ProcessEnv): EviConfig {
  const providerEnv: Record<string, string> = {}
  for (const p of PROVIDERS)
    for (const suffix of ['_API_KEY', '_BASE_URL']) {
      const v = env[p + suffix]
      if (v) providerEnv[p + suffix] = v
    }
  return Object.freeze({
    providerEnv: Object.freeze(providerEnv),
    llmUrl: httpUrl(env, 'PROSODIA_LLM_URL'),
    llmModel: env.PROSODIA_LLM_MODEL || 'llama3.2',
    llmApiKey: env.PROSODIA_LLM_API_KEY || undefined,
    clmUrl: httpUrl(env, 'PROSODIA_CLM_URL'),
    llmTimeoutMs: integer(env, 'PROSODIA_LLM_TIMEOUT_MS', 30_000, 100, 600_000),
    toolTimeoutMs: integer(env, 'PROSODIA_TOOL_TIMEOUT_MS', 60_000, 100, 3_600_000),
    signingKey: env.PROSODIA_SIGNING_KEY || undefined,
    webSearchUrl: httpUrl(env, 'PROSODIA_WEB_SEARCH_URL'),
    prosodyScores: oneOf(env, 'PROSODIA_EVI_PROSODY_SCORES', ['omit', 'zero_filled'] as const, 'omit'),
  })
}

function loadMedia(env: NodeJS.ProcessEnv): MediaConfig {
  const provider = (env.PROSODIA_ASR || (env.PROSODIA_ASR_URL ? 'openai' : 'auto')) as AsrConfig['provider']
  if (!ASR_PROVIDERS.includes(provider)) {
    throw new ConfigError(`PROSODIA_ASR must be one of ${ASR_PROVIDERS.join(', ')}, got "${provider}"`)
  }
  const url = env.PROSODIA_ASR_URL || undefined
  if (provider === 'openai' && !url) throw new ConfigError('PROSODIA_ASR=openai needs PROSODIA_ASR_URL')
  if (url && !/^https?:\/\//.test(url)) throw new ConfigError('PROSODIA_ASR_URL must be an http(s) URL')
  return Object.freeze({
    ffmpeg: env.PROSODIA_FFMPEG || 'ffmpeg',
    ffprobe: env.PROSODIA_FFPROBE || 'ffprobe',
    asr: Object.freeze({
      provider,
      url,
      apiKey: env.PROSODIA_ASR_API_KEY || undefined,
      model: env.PROSODIA_ASR_MODEL || 'whisper-1',
    }),
  })
}

/** S3_BUCKET selects the S3 blob store; credentials come from the AWS SDK's own chain (AWS_ACCESS_KEY_ID...). */
function loadS3(env: NodeJS.ProcessEnv): S3Config | undefined {
  const bucket = env.S3_BUCKET || undefined
  const endpoint = httpUrl(env, 'S3_ENDPOINT')
  const prefix = (env.S3_PREFIX || '').replace(/^\/+|\/+$/g, '')
  if (!bucket) {
    if (endpoint || prefix) throw new ConfigError('S3_ENDPOINT and S3_PREFIX need S3_BUCKET')
    return undefined
  }
  // S3's bucket naming rules (MinIO and others follow them): a bad name fails here, not on first upload.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new ConfigError(`S3_BUCKET "${bucket}" is not a valid bucket name`)
  if (prefix && !/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(prefix))
    throw new ConfigError('S3_PREFIX must be slash-separated names of letters, digits, ".", "_" and "-"')
  const presigned = env.S3_PRESIGNED_URLS || 'false'
  if (presigned !== 'true' && presigned !== 'false') throw new ConfigError('S3_PRESIGNED_URLS must be true or false')
  return Object.freeze({
    bucket,
    endpoint,
    region: env.S3_REGION || env.AWS_REGION || 'us-east-1',
    prefix,
    presignedUrls: presigned === 'true',
  })
}

function redisUrl(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.REDIS_URL || undefined
  if (url && !/^rediss?:\/\/[^/]/.test(url)) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL')
  return url
}

function redisPrefix(env: NodeJS.ProcessEnv): string {
  const prefix = env.REDIS_PREFIX || 'prosodia'
  // BullMQ joins its keys with ":"; a prefix with one (or spaces, braces) would read as another queue's keys.
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix))
    throw new ConfigError('REDIS_PREFIX must be 1 to 64 letters, digits, ".", "_" or "-"')
  return prefix
}

function metricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.PROSODIA_METRICS_TOKEN || undefined
  // A short token could be guessed by a scraper left to try; the metrics describe all traffic.
  if (token && token.length < 16) throw new ConfigError('PROSODIA_METRICS_TOKEN must be at least 16 characters')
  return token
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.PROSODIA_DATA_DIR || './data')
  const databaseUrl = env.DATABASE_URL || undefined
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl) && !databaseUrl.startsWith('sqlite:')) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL (or sqlite:PATH)')
  }
  const cores = availableParallelism()
  return Object.freeze({
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 8000, 0, 65535),
    dataDir,
    databaseUrl,
    bootstrapApiKey: env.PROSODIA_API_KEY || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    tokenTtlSeconds: integer(env, 'PROSODIA_TOKEN_TTL_SECONDS', 1800, 1, 86400 * 30),
    modelsDir: path.resolve(env.PROSODIA_MODELS_DIR || path.join(dataDir, 'models')),
    blobDir: path.resolve(env.PROSODIA_BLOB_DIR || path.join(dataDir, 'blobs')),
    s3: loadS3(env),
    fetchAllowList: Object.freeze(
      (env.PROSODIA_FETCH_ALLOW || '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    pageCacheBytes: integer(env, 'PROSODIA_PAGE_CACHE_BYTES', 32 * MB, 0, GB),
    ttsThreads: integer(env, 'PROSODIA_TTS_THREADS', cores, 0, 256),
    expressionThreads: integer(env, 'PROSODIA_EXPRESSION_THREADS', cores, 0, 256),
    queueLeaseMs: integer(env, 'PROSODIA_QUEUE_LEASE_MS', 30_000, 1000, 3_600_000),
    redisUrl: redisUrl(env),
    redisPrefix: redisPrefix(env),
    metricsToken: metricsToken(env),
    metricsPort: env.PROSODIA_METRICS_PORT ? integer(env, 'PROSODIA_METRICS_PORT', 0, 0, 65535) : undefined,
    media: loadMedia(env),
    evi: loadEvi(env),
    limits: loadLimits(env),
  })
}

/** For entry points: the config, or a one-line message on stderr and exit code 2 (no stack trace). */
export function configOrExit(env: NodeJS.ProcessEnv): Config {
  try {
    return loadConfig(env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`prosodia: ${err.message}\n`)
    process.exit(2)
  }
}
