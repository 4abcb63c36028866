import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../../shared/storage/database.js'
import { PostedPrompt, PostedPromptVersion, ReturnPrompt } from './prompts.schemas.js'
import { createPromptService } from './prompts.service.js'
import { registerVersionedRoutes } from './versions.routes.js'

/** The EVI resource routes: prompts, tools, custom voices and configs. */
export async function eviRoutes(app: FastifyInstance, opts: { db: Kysely<Database> }): Promise<void> {
  app.addHook('onRoute', (route) => {
    route.config = { errorStyle: 'error_response', ...route.config }
  })
  const prompts = createPromptService(opts.db)
  registerVersionedRoutes(app, {
    base: '/v0/evi/prompts',
    tag: 'Prompts',
    pageKey: 'prompts_page',
    service: prompts,
    Return: ReturnPrompt,
    PostedCreate: PostedPrompt,
    PostedVersion: PostedPromptVersion,
    toPayload: (body) => ({ text: body.text }),
  })
}
