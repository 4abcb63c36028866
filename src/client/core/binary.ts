import { toCamel, type Camelize } from './casing.js'

/**
 * A binary response body (audio, zip), read once: as a web `ReadableStream`, an async iterable of chunks,
 * or whole. The shape of Fern's `core.BinaryResponse` plus async iteration.
 */
export class BinaryResponse implements AsyncIterable<Uint8Array> {
  constructor(readonly rawResponse: Response) {}

  get bodyUsed(): boolean {
    return this.rawResponse.bodyUsed
  }

  /** The Content-Type the server sent, e.g. `audio/wav`. */
  get contentType(): string | null {
    return this.rawResponse.headers.get('content-type')
  }

  stream(): ReadableStream<Uint8Array> {
    const body = this.rawResponse.body
    if (!body) throw new Error('The response has no body')
    return body
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.rawResponse.arrayBuffer()
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.rawResponse.arrayBuffer())
  }

  blob(): Promise<Blob> {
    return this.rawResponse.blob()
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return iterateStream(this.stream())
  }
}

/** Reads a web stream chunk by chunk; stopping early (break) cancels it so the server stops too. */
export async function* iterateStream<T>(stream: ReadableStream<T>): AsyncGenerator<T, void, undefined> {
  const reader = stream.getReader()
  let finished = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) {
        finished = true
        return
      }
      yield value
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined)
    reader.releaseLock()
  }
}

/** A line of a JSON stream (one audio chunk, base64) is far below this; a line without end is not. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024

/** Newline-delimited JSON (or SSE `data:` lines) parsed and camelCased, one object per line. */
export async function* jsonLines<T>(stream: ReadableStream<Uint8Array>): AsyncGenerator<Camelize<T>, void, undefined> {
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const chunk of iterateStream(stream)) {
    const text = decoder.decode(chunk, { stream: true })
    // Only the new text is searched for line ends, so a long line costs linear time, not quadratic.
    let start = 0
    let newline: number
    while ((newline = text.indexOf('\n', start)) >= 0) {
      const line = buffered + text.slice(start, newline)
      buffered = ''
      start = newline + 1
      const parsed = parseLine<T>(line)
      if (parsed !== undefined) yield parsed
    }
    buffered += text.slice(start)
    if (buffered.length > MAX_LINE_CHARS)
      throw new RangeError(`A streamed line is longer than ${MAX_LINE_CHARS} characters: not the API's stream`)
  }
  const last = parseLine<T>(buffered + decoder.decode())
  if (last !== undefined) yield last
}

function parseLine<T>(line: string): Camelize<T> | undefined {
  let text = line.trim()
  if (text === '' || text.startsWith(':') || text.startsWith('event:') || text.startsWith('id:')) return undefined
  if (text.startsWith('data:')) text = text.slice(5).trim()
  if (text === '' || text === '[DONE]') return undefined
  return toCamel(JSON.parse(text) as T)
}

/** A stream of parsed objects: `for await` over it, or read its `ReadableStream`. */
export class JsonStream<T> implements AsyncIterable<T> {
  constructor(
    private readonly source: AsyncIterable<T>,
    readonly rawResponse: Response,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.source[Symbol.asyncIterator]()
  }

  toReadableStream(): ReadableStream<T> {
    const it = this.source[Symbol.asyncIterator]()
    return new ReadableStream<T>({
      async pull(controller) {
        const { done, value } = await it.next()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      async cancel() {
        await it.return?.()
      },
    })
  }
}
