/**
 * A scripted language model on 127.0.0.1 speaking three wire formats: OpenAI-compatible
 * `POST …/chat/completions` (also Hume's custom-language-model protocol), Anthropic `POST …/messages`
 * and Google `POST …:streamGenerateContent?alt=sse`. Each request takes the next scripted reply
 * (text chunks and/or a tool call, an optional delay before the first token, or an HTTP error);
 * every request is recorded with its body, query and headers, and whether the client hung up before
 * the reply finished. Tests put `127.0.0.1` in the allow list (or use it as the operator's URL).
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeReply {
  /** Streamed in order, one SSE event each. */
  text?: string[]
  /** Sent after the text, its arguments in two pieces (as real models stream them). */
  toolCall?: { id?: string; name: string; arguments: string }
  /** Ms between the response headers and the first token. */
  delayMs?: number
  /** Ms between chunks. */
  chunkDelayMs?: number
  /** Never finish: the stream stays open after the chunks (for abort tests). */
  hang?: boolean
  /** Drop the connection after the chunks, without finishing (a model that dies mid-answer). */
  drop?: boolean
  /** Answer with this HTTP status and an error body in the dialect's shape instead. */
  status?: number
  errorMessage?: string
  /** Answer with this body (as text/event-stream, status 200) instead: malformed streams. */
  raw?: string
}

export type Dialect = 'openai' | 'anthropic' | 'google'

export interface FakeLlmRequest {
  dialect: Dialect
  path: string
  query: URLSearchParams
  headers: http.IncomingHttpHeaders
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any
  /** Settles when the exchange ends: 'finished', or 'aborted' when the client went away first. */
  ended: Promise<'finished' | 'aborted'>
}

export interface FakeLlm {
  /** http://127.0.0.1:PORT */
  readonly url: string
  /** An OpenAI-compatible base URL: `${url}/v1` (requests go to `${baseURL}/chat/completions`). */
  readonly baseURL: string
  /** A custom-language-model endpoint: `${url}/clm/chat/completions`. */
  readonly clmURL: string
  readonly requests: FakeLlmRequest[]
  /** Appends replies; each request consumes one. With none left, the default reply answers. */
  script(...replies: FakeReply[]): void
  close(): Promise<void>
}

export const DEFAULT_REPLY: FakeReply = { text: ['Hello', ' there.'] }

/** Largest request body the fake reads. */
const MAX_BODY = 10 * 1024 * 1024

export async function startFakeLlm(opts: { replies?: FakeReply[]; defaultReply?: FakeReply } = {}): Promise<FakeLlm> {
  const queue = [...(opts.replies ?? [])]
  const requests: FakeLlmRequest[] = []
  const server = http.createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy())
  })

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake')
    const dialect: Dialect | undefined =
      req.method !== 'POST'
        ? undefined
        : url.pathname.endsWith('/chat/completions')
          ? 'openai'
          : url.pathname.endsWith('/messages')
            ? 'anthropic'
            : url.pathname.endsWith(':streamGenerateContent')
              ? 'google'
              : undefined
    const raw = await readBody(req)
    if (!dialect) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}')
      return
    }
    let finish!: (how: 'finished' | 'aborted') => void
    const ended = new Promise<'finished' | 'aborted'>((resolve) => (finish = resolve))
    res.on('close', () => finish(res.writableFinished ? 'finished' : 'aborted'))
    requests.push({
      dialect,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: parse(raw),
      ended,
    })
    await reply(dialect, queue.shift() ?? opts.defaultReply ?? DEFAULT_REPLY, res)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const base = `http://127.0.0.1:${port}`
  return {
    url: base,
    baseURL: `${base}/v1`,
    clmURL: `${base}/clm/chat/completions`,
    requests,
    script: (...replies) => void queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function reply(dialect: Dialect, r: FakeReply, res: http.ServerResponse): Promise<void> {
  if (r.status) {
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(errorBody(dialect, r)))
    return
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  res.flushHeaders()
  if (r.raw !== undefined) {
    res.end(r.raw)
    return
  }
  const gone = () => res.destroyed || res.writableEnded
  await sleep(r.delayMs ?? 0)
  for (const event of events(dialect, r)) {
    if (gone()) return
    res.write(event)
    await sleep(r.chunkDelayMs ?? 0)
  }
  if (r.drop) res.destroy()
  else if (!r.hang && !gone()) res.end()
}

function* events(dialect: Dialect, r: FakeReply): Generator<string> {
  const text = r.text ?? []
  const call = r.toolCall && { id: r.toolCall.id ?? 'call_1', ...r.toolCall }
  const half = call ? Math.floor(call.arguments.length / 2) : 0
  const pieces = call ? [call.arguments.slice(0, half), call.arguments.slice(half)] : []
  if (dialect === 'openai') {
    const chunk = (delta: object, finish: string | null = null) =>
      sse({
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'fake',
        choices: [{ index: 0, delta, finish_reason: finish }],
      })
    for (const [i, t] of text.entries()) yield chunk(i === 0 ? { role: 'assistant', content: t } : { content: t })
    if (call) {
      yield chunk({
        tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: pieces[0] } }],
      })
      yield chunk({ tool_calls: [{ index: 0, function: { arguments: pieces[1] } }] })
    }
    if (r.hang || r.drop) return
    yield chunk({}, call ? 'tool_calls' : 'stop')
    yield 'data: [DONE]\n\n'
  } else if (dialect === 'anthropic') {
    const ev = (type: string, data: object) => `event: ${type}\n${sse({ type, ...data })}`
    yield ev('message_start', {
      message: {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model: 'fake',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    })
    let index = 0
    if (text.length) {
      yield ev('content_block_start', { index, content_block: { type: 'text', text: '' } })
      for (const t of text) yield ev('content_block_delta', { index, delta: { type: 'text_delta', text: t } })
      yield ev('content_block_stop', { index })
      index++
    }
    if (call) {
      yield ev('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
      })
      for (const p of pieces)
        yield ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: p } })
      yield ev('content_block_stop', { index })
    }
    if (r.hang || r.drop) return
    yield ev('message_delta', {
      delta: { stop_reason: call ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: 2 },
    })
    yield ev('message_stop', {})
  } else {
    const candidate = (parts: object[], finish?: string) =>
      sse({
        candidates: [{ content: { parts, role: 'model' }, index: 0, ...(finish && { finishReason: finish }) }],
        ...(finish && { usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 2, totalTokenCount: 3 } }),
      })
    for (const t of text) yield candidate([{ text: t }])
    if (r.hang || r.drop) return
    yield candidate(call ? [{ functionCall: { name: call.name, args: JSON.parse(call.arguments) } }] : [], 'STOP')
  }
}

function errorBody(dialect: Dialect, r: FakeReply): object {
  const message = r.errorMessage ?? `fake error ${r.status}`
  if (dialect === 'anthropic') return { type: 'error', error: { type: 'api_error', message } }
  if (dialect === 'google') return { error: { code: r.status, message, status: 'ERROR' } }
  return { error: { message, type: 'fake_error', code: null } }
}

const sse = (data: object) => `data: ${JSON.stringify(data)}\n\n`
const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve())

function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new Error('request body too large for the fake model')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
