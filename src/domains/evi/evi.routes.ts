import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { useErrorStyle } from '../../shared/http/error-handler.js'
import { PageCache } from '../../shared/http/page-cache.js'
import type { Database } from '../../shared/storage/database.js'
import { PostedConfig, PostedConfigVersion, ReturnConfig } from './configs.schemas.js'
import { ConfigService } from './configs.service.js'
import { CustomVoiceName, PostedCustomVoice, ReturnCustomVoice } from './custom-voices.schemas.js'
import { createCustomVoiceService, toCustomVoicePayload } from './custom-voices.service.js'
import { PostedPrompt, PostedPromptVersion, ReturnPrompt } from './prompts.schemas.js'
import { createPromptService, toPromptPayload } from './prompts.service.js'
import { PostedUserDefinedTool, PostedUserDefinedToolVersion, ReturnUserDefinedTool } from './tools.schemas.js'
import { createToolService, toToolPayload } from './tools.service.js'
import type { VoiceLookup } from './voice-lookup.js'
import { registerVersionedRoutes } from './versions.routes.js'

export interface EviRouteOptions {
  db: Kysely<Database>
  voices: VoiceLookup
  /** Bytes of serialised list pages to keep per process; 0 turns the cache off. */
  pageCacheBytes: number
}

/** The EVI resource routes: prompts, tools, custom voices and configs. */
export async function eviRoutes(app: FastifyInstance, opts: EviRouteOptions): Promise<void> {
  // EVI's definition declares only 400 `ErrorResponse`, so validation failures answer that too.
  useErrorStyle(app, 'error_response')
  // EVI takes JSON only: without this, Fastify's built-in text/plain parser would turn a 415 into a 400.
  app.removeContentTypeParser('text/plain')
  const pageCache = opts.pageCacheBytes > 0 ? new PageCache(opts.pageCacheBytes) : undefined
  registerVersionedRoutes(app, {
    pageCache,
    base: '/v0/evi/prompts',
    tag: 'Prompts',
    pageKey: 'prompts_page',
    service: createPromptService(opts.db),
    Return: ReturnPrompt,
    PostedCreate: PostedPrompt,
    PostedVersion: PostedPromptVersion,
    toPayload: toPromptPayload,
  })
  registerVersionedRoutes(app, {
    pageCache,
    base: '/v0/evi/tools',
    tag: 'Tools',
    pageKey: 'tools_page',
    service: createToolService(opts.db),
    Return: ReturnUserDefinedTool,
    PostedCreate: PostedUserDefinedTool,
    PostedVersion: PostedUserDefinedToolVersion,
    toPayload: toToolPayload,
  })
  registerVersionedRoutes(app, {
    pageCache,
    base: '/v0/evi/custom_voices',
    tag: 'Custom voices',
    pageKey: 'custom_voices_page',
    service: createCustomVoiceService(opts.db),
    Return: ReturnCustomVoice,
    PostedCreate: PostedCustomVoice,
    PostedVersion: PostedCustomVoice,
    toPayload: toCustomVoicePayload,
    legacyCustomVoice: true,
    NameSchema: CustomVoiceName,
    normalizeName: (name) => name.toUpperCase(),
  })
  const configs = new ConfigService(opts.db, opts.voices)
  registerVersionedRoutes(app, {
    pageCache,
    base: '/v0/evi/configs',
    tag: 'Configs',
    pageKey: 'configs_page',
    service: configs,
    Return: ReturnConfig,
    PostedCreate: PostedConfig,
    PostedVersion: PostedConfigVersion,
    toPayload: (body, accountId) => configs.toPayload(body as never, accountId),
  })
}
