import { APICallError, InvalidResponseDataError } from 'ai'
import { MockLanguageModelV3 } from 'ai/test'
import { beforeAll, describe, expect, it } from 'vitest'
import { AiSdkLanguageModel, type AiSdkModelOptions } from './ai-sdk-model.js'
import { LlmError, type LlmEvent, type LlmRequest } from './llm.types.js'
import { routeAiSdkWarnings } from './warnings.js'

type DoStream = Awaited<ReturnType<MockLanguageModelV3['doStream']>>
type Part = DoStream['stream'] extends ReadableStream<infer P> ? P : never

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
}
const finish = (unified: 'stop' | 'tool-calls' = 'stop'): Part => ({
  type: 'finish',
  finishReason: { unified, raw: unified },
  usage,
})
const text = (...deltas: string[]): Part[] => [
  { type: 'text-start', id: 't' },
  ...deltas.map((delta): Part => ({ type: 'text-delta', id: 't', delta })),
  { type: 'text-end', id: 't' },
]

/** A provider stream: the parts in order, then (unless `open`) the end; `open` streams never close. */
function streamOf(parts: Part[], open = false): ReadableStream<Part> {
  return new ReadableStream({
    start(c) {
      c.enqueue({ type: 'stream-start', warnings: [] })
      for (const p of parts) c.enqueue(p)
      if (!open) c.close()
    },
  })
}

function setup(doStream: MockLanguageModelV3['doStream'] | DoStream, over: Partial<AiSdkModelOptions> = {}) {
  const mock = new MockLanguageModelV3({ doStream })
  const model = new AiSdkLanguageModel({
    label: 'mock:m',
    model: () => mock,
    firstTokenMs: 1000,
    clm: false,
    secrets: [],
    ...over,
  })
  return { mock, model }
}

const req = (over: Partial<LlmRequest> = {}): LlmRequest => ({
  system: 'Be brief.',
  messages: [{ role: 'user', content: 'Hi' }],
  tools: [],
  signal: new AbortController().signal,
  ...over,
})

async function collect(events: AsyncIterable<LlmEvent>): Promise<LlmEvent[]> {
  const out: LlmEvent[] = []
  for await (const e of events) out.push(e)
  return out
}

describe('AiSdkLanguageModel', () => {
  beforeAll(() => routeAiSdkWarnings(() => {}))

  it('yields text deltas, declared tool calls and the finish reason', async () => {
    const { model, mock } = setup({
      stream: streamOf([
        ...text('Sure', ', one moment.'),
        { type: 'tool-call', toolCallId: 'c1', toolName: 'lookup', input: '{"q":"tide"}' },
        finish('tool-calls'),
      ]),
    })
    const tools = [{ name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }]
    expect(await collect(model.stream(req({ tools })))).toEqual([
      { type: 'text', delta: 'Sure' },
      { type: 'text', delta: ', one moment.' },
      { type: 'tool_call', call: { id: 'c1', name: 'lookup', arguments: '{"q":"tide"}' } },
      { type: 'finish', reason: 'tool-calls' },
    ])
    const call = mock.doStreamCalls[0]!
    expect(call.prompt).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
    ])
    expect(call.tools).toEqual([
      expect.objectContaining({ type: 'function', name: 'lookup', inputSchema: tools[0]!.parameters }),
    ])
  })

  it("uses the config's temperature unless the request sets one", async () => {
    const { model, mock } = setup(async () => ({ stream: streamOf([...text('x'), finish()]) }), { temperature: 0.4 })
    await collect(model.stream(req()))
    await collect(model.stream(req({ temperature: 0.9 })))
    expect(mock.doStreamCalls.map((c) => c.temperature)).toEqual([0.4, 0.9])
  })

  it('tells a plain model the user’s strongest expressions in words', async () => {
    const { model, mock } = setup({ stream: streamOf([...text('x'), finish()]) })
    await collect(
      model.stream(req({ messages: [{ role: 'user', content: 'Fine.', prosody: { Tiredness: 0.6, Joy: 0.05 } }] })),
    )
    expect(mock.doStreamCalls[0]!.prompt[1]).toEqual({
      role: 'user',
      content: [{ type: 'text', text: 'Fine. {quite tired, slightly joyful}' }],
    })
  })

  it('fails with E0717 when no token comes in time, and aborts the provider call', async () => {
    let signal: AbortSignal | undefined
    const { model } = setup(
      async (options) => {
        signal = options.abortSignal
        return { stream: streamOf([], true) }
      },
      { firstTokenMs: 80 },
    )
    const started = Date.now()
    await expect(collect(model.stream(req()))).rejects.toMatchObject({ code: 'E0717', slug: 'language_model_timeout' })
    expect(Date.now() - started).toBeLessThan(1000)
    expect(signal?.aborted).toBe(true)
  })

  it('does not time out a model that has started answering', async () => {
    const parts = [...text('first'), finish()]
    const slow = new ReadableStream<Part>({
      async start(c) {
        c.enqueue({ type: 'stream-start', warnings: [] })
        c.enqueue(parts[0]!)
        c.enqueue(parts[1]!)
        await new Promise((r) => setTimeout(r, 150))
        for (const p of parts.slice(2)) c.enqueue(p)
        c.close()
      },
    })
    const { model } = setup({ stream: slow }, { firstTokenMs: 50 })
    expect((await collect(model.stream(req()))).at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('maps a failed provider call to an LlmError', async () => {
    const { model } = setup(async () => {
      throw new APICallError({ message: 'slow down', url: 'x', requestBodyValues: {}, statusCode: 429 })
    })
    const err = await collect(model.stream(req())).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LlmError)
    expect(err).toMatchObject({ code: 'E0716', slug: 'language_model_rate_limited' })
  })

  it('yields what came before an error part, then throws it mapped', async () => {
    const { model } = setup({
      stream: streamOf([...text('partial'), { type: 'error', error: { message: 'overloaded' } }]),
    })
    const seen: LlmEvent[] = []
    const err = await (async () => {
      for await (const e of model.stream(req())) seen.push(e)
    })().catch((e: unknown) => e)
    expect(seen).toEqual([{ type: 'text', delta: 'partial' }])
    expect(err).toMatchObject({ slug: 'language_model_bad_response', message: expect.stringContaining('overloaded') })
  })

  it('takes a stream that ends without a finish reason as finished, unless it said nothing', async () => {
    const missing = () =>
      ({
        type: 'error',
        error: new InvalidResponseDataError({
          data: undefined,
          message: 'Response stream ended without a finish reason.',
        }),
      }) as Part
    const { model } = setup(async () => ({ stream: streamOf([...text('Done'), missing()]) }))
    expect(await collect(model.stream(req()))).toEqual([
      { type: 'text', delta: 'Done' },
      { type: 'finish', reason: 'stop' },
    ])
    const empty = setup(async () => ({ stream: streamOf([missing()]) })).model
    await expect(collect(empty.stream(req()))).rejects.toMatchObject({ code: 'E0718' })
  })

  it('ends quietly when the request is aborted, aborting the provider call', async () => {
    let signal: AbortSignal | undefined
    const { model } = setup(async (options) => {
      signal = options.abortSignal
      return { stream: streamOf(text('a', 'b'), true) }
    })
    const ac = new AbortController()
    const seen: LlmEvent[] = []
    for await (const e of model.stream(req({ signal: ac.signal }))) {
      seen.push(e)
      ac.abort()
    }
    expect(seen).toEqual([{ type: 'text', delta: 'a' }])
    expect(signal?.aborted).toBe(true)
  })
})
