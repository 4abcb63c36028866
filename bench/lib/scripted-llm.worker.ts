// The scripted language model's server, in a worker thread of its own so that the benchmark's
// audio streaming never delays its answers (and its time to first byte is its own). An
// OpenAI-compatible `POST …/chat/completions` that streams the same reply instantly, and reports
// every request to the parent: which chat asked (the tag in the system prompt), when the request
// arrived and when the first token was written.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { parentPort, workerData } from 'node:worker_threads'
import type { LlmRecord, ScriptedLlmOptions } from './scripted-llm.js'

const { reply, tagPattern } = workerData as ScriptedLlmOptions
const tagRe = new RegExp(tagPattern)
/** Largest request body read: a 20-turn conversation is a few kB. */
const MAX_BODY = 4 * 1024 * 1024
/** Wall-clock ms with sub-ms precision, comparable across threads and processes. */
const wallNow = () => performance.timeOrigin + performance.now()

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'scripted',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`

const events = [
  ...reply.map((t, i) => chunk(i === 0 ? { role: 'assistant', content: t } : { content: t })),
  chunk({}, 'stop'),
  'data: [DONE]\n\n',
]

const server = http.createServer((req, res) => {
  const arrivedAt = wallNow()
  const parts: Buffer[] = []
  let size = 0
  req.on('data', (c: Buffer) => {
    size += c.length
    if (size > MAX_BODY) req.destroy()
    else parts.push(c)
  })
  req.on('end', () => {
    if (req.method !== 'POST' || !req.url?.split('?')[0]?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}')
      return
    }
    let tag = ''
    try {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { messages?: { content?: unknown }[] }
      tag = tagRe.exec(String(body.messages?.[0]?.content ?? ''))?.[1] ?? ''
    } catch {
      // An unparsable body still gets the reply; it just cannot be matched to a chat.
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.write(events[0])
    const firstByteAt = wallNow()
    for (const e of events.slice(1)) res.write(e)
    res.end()
    parentPort!.postMessage({ type: 'request', record: { tag, arrivedAt, firstByteAt } satisfies LlmRecord })
  })
})

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  parentPort!.postMessage({ type: 'ready', port })
})

parentPort!.on('message', (m: { type?: string }) => {
  if (m.type !== 'close') return
  server.closeAllConnections()
  server.close(() => parentPort!.postMessage({ type: 'closed' }))
})
