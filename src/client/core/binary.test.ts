import { describe, expect, it } from 'vitest'
import { BinaryResponse, JsonStream, jsonLines } from './binary.js'

function streamOf(chunks: string[], onCancel?: () => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[i++]
      if (chunk === undefined) controller.close()
      else controller.enqueue(encoder.encode(chunk))
    },
    cancel: onCancel,
  })
}

describe('jsonLines', () => {
  it('parses objects split across chunks and camelCases them', async () => {
    const out = []
    for await (const o of jsonLines(
      streamOf(['{"generation_id":"a', '"}\n{"chunk_index"', ':1}\n', '{"is_last_chunk":true}']),
    ))
      out.push(o)
    expect(out).toEqual([{ generationId: 'a' }, { chunkIndex: 1 }, { isLastChunk: true }])
  })

  it('reads server-sent events too, skipping comments and [DONE]', async () => {
    const out = []
    for await (const o of jsonLines(streamOf([': hi\n', 'event: x\ndata: {"a_b":1}\n\n', 'data: [DONE]\n\n'])))
      out.push(o)
    expect(out).toEqual([{ aB: 1 }])
  })

  it('stopping early cancels the source stream', async () => {
    let cancelled = false
    const stream = streamOf(['{"a":1}\n', '{"a":2}\n', '{"a":3}\n'], () => (cancelled = true))
    for await (const o of jsonLines(stream)) if (o) break
    expect(cancelled).toBe(true)
  })
})

describe('BinaryResponse and JsonStream', () => {
  it('gives the body as chunks by for await, or whole', async () => {
    const chunks: number[] = []
    for await (const c of new BinaryResponse(new Response(streamOf(['ab', 'cd'])))) chunks.push(c.length)
    expect(chunks).toEqual([2, 2])
    const whole = await new BinaryResponse(new Response('RIFF', { headers: { 'content-type': 'audio/wav' } })).bytes()
    expect(new TextDecoder().decode(whole)).toBe('RIFF')
  })

  it('turns a parsed stream into a ReadableStream', async () => {
    async function* source() {
      yield 1
      yield 2
    }
    const reader = new JsonStream(source(), new Response('')).toReadableStream().getReader()
    expect((await reader.read()).value).toBe(1)
    expect((await reader.read()).value).toBe(2)
    expect((await reader.read()).done).toBe(true)
  })
})
