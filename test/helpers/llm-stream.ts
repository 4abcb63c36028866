/**
 * Helpers for tests of the language model stage: a suite-wide fake model and models resolved
 * against it, requests with defaults, and readers for the event stream.
 */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest'
import { resolveLanguageModel, type LanguageModelSpec, type LlmDeps } from '../../src/domains/evi/llm/llm.resolve.js'
import {
  LlmError,
  type LanguageModel,
  type LlmEvent,
  type LlmRequest,
  type LlmTool,
} from '../../src/domains/evi/llm/llm.types.js'
import { routeAiSdkWarnings } from '../../src/domains/evi/llm/warnings.js'
import { startFakeLlm, type FakeLlm } from './fake-llm.js'

export const weatherTool: LlmTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}

export function llmRequest(over: Partial<LlmRequest> = {}): LlmRequest {
  return {
    system: 'You are terse.',
    messages: [{ role: 'user', content: 'Hi!' }],
    tools: [],
    signal: new AbortController().signal,
    ...over,
  }
}

export async function collectLlm(events: AsyncIterable<LlmEvent>): Promise<LlmEvent[]> {
  const out: LlmEvent[] = []
  for await (const e of events) out.push(e)
  return out
}

/** The LlmError a stream ends with; fails the test if it ends without one. */
export async function llmFailure(events: AsyncIterable<LlmEvent>): Promise<LlmError> {
  try {
    await collectLlm(events)
  } catch (err) {
    expect(err).toBeInstanceOf(LlmError)
    return err as LlmError
  }
  throw new Error('the stream did not fail')
}

export const llmText = (events: LlmEvent[]) =>
  events
    .filter((e): e is Extract<LlmEvent, { type: 'text' }> => e.type === 'text')
    .map((e) => e.delta)
    .join('')

export interface FakeLlmSuite {
  fake: FakeLlm
  /** Deps whose default model (PROSODIA_LLM_URL) is the fake, with key "operator-key" and no allow list. */
  deps: (over?: Partial<LlmDeps>) => LlmDeps
  model: (spec?: LanguageModelSpec, over?: Partial<LlmDeps>) => LanguageModel
}

/** Starts one fake model for the suite; each test starts with an empty request log. */
export function fakeLlmSuite(): FakeLlmSuite {
  const suite = {} as FakeLlmSuite
  beforeAll(async () => {
    routeAiSdkWarnings(() => {})
    suite.fake = await startFakeLlm()
    suite.deps = (over = {}) => ({
      env: {},
      evi: {
        llmUrl: suite.fake.baseURL,
        llmModel: 'fake-model',
        llmApiKey: 'operator-key',
        clmUrl: undefined,
        llmTimeoutMs: 5000,
      },
      fetchAllowList: [],
      ...over,
    })
    suite.model = (spec = {}, over) => resolveLanguageModel(spec, suite.deps(over))
  })
  afterAll(() => suite.fake?.close())
  beforeEach(() => {
    suite.fake.requests.length = 0
  })
  return suite
}
