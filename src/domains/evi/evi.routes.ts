import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { useErrorStyle } from '../../shared/http/error-handler.js'
import type { PageCache } from '../../shared/http/page-cache.js'
import { PostedConfig, PostedConfigVersion, ReturnConfig } from './configs.schemas.js'
import { CustomVoiceName, PostedCustomVoice, ReturnCustomVoice } from './custom-voices.schemas.js'
import { toCustomVoicePayload } from './custom-voices.service.js'
import type { EviServices } from './evi.services.js'
import { PostedPrompt, PostedPromptVersion, ReturnPrompt } from './prompts.schemas.js'
import { toPromptPayload } from './prompts.service.js'
import { PostedUserDefinedTool, PostedUserDefinedToolVersion, ReturnUserDefinedTool } from './tools.schemas.js'
import { toToolPayload } from './tools.service.js'
import { registerVersionedRoutes } from './versions.routes.js'

export interface EviRouteOptions {
  services: EviServices
  /** Serialised list pages shared by the EVI list routes; undefined turns the cache off. */
  pageCache?: PageCache
}

/** The EVI resource routes: prompts, tools, custom voices and configs. */
export const eviRoutes: FastifyPluginAsyncTypebox<EviRouteOptions> = async (app, { services, pageCache }) => {
  // EVI's definition declares only 400 `ErrorResponse`, so validation failures answer that too.
  useErrorStyle(app, 'error_response')
  // EVI takes JSON only: without this, Fastify's built-in text/plain parser would turn a 415 into a 400.
  app.removeContentTypeParser('text/plain')
  registerVersionedRoutes(app, {
    pageCache,
    base: '/v0/evi/prompts',
    tag: 'Prompts',
    pageKey: 'prompts_page',
    service: services.prompts,
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
    service: services.tools,
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
    service: services.customVoices,
    Return: ReturnCustomVoice,
    PostedCreate: PostedCustomVoice,
    PostedVersion: PostedCustomVoice,
    toPayload: toCustomVoicePayload,
    legacyCustomVoice: true,
    NameSchema: CustomVoiceName,
    normalizeName: (name) => name.toUpperCase(),
  })
  const { configs } = services
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
