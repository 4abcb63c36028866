// Shapes rendered PCM into each route's output: a ReturnTts body, newline-delimited TtsOutput
// JSON, or audio bytes. strip_headers decides whether each chunk (or snippet) is its own file
// or a slice of one continuous file per generation.
import { concatBytes, concatSamples, createStreamEncoder, encodeFile, type StreamEncoder } from './audio-encoding.js'
import type { ReturnGeneration, ReturnTts, Snippet, TtsOutput } from './tts.schemas.js'
import type { Plan } from './tts.plan.js'
import type { RenderedChunk } from './tts.render.js'

const b64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')

/** Encodes a generation's pieces either as separate files or as slices of one stream. */
class PieceEncoder {
  private stream: StreamEncoder | undefined

  constructor(private readonly plan: Plan) {}

  async encode(samples: Float32Array, lastOfGeneration: boolean): Promise<Uint8Array> {
    const { format, sampleRate, stripHeaders } = this.plan
    if (!stripHeaders) return encodeFile(format, sampleRate, samples)
    this.stream ??= await createStreamEncoder(format, sampleRate)
    const body = this.stream.push(samples)
    if (!lastOfGeneration) return body
    const tail = this.stream.end()
    this.stream = undefined
    return concatBytes([body, tail])
  }
}

/** POST /v0/tts: everything rendered, then one body. */
export async function collectReturnTts(
  plan: Plan,
  chunks: AsyncIterable<RenderedChunk>,
  requestId: string,
): Promise<ReturnTts> {
  const byGeneration = new Map<string, RenderedChunk[]>()
  for await (const c of chunks) {
    const list = byGeneration.get(c.generation.id) ?? []
    list.push(c)
    byGeneration.set(c.generation.id, list)
  }
  const generations: ReturnGeneration[] = []
  for (const g of plan.generations) {
    const list = byGeneration.get(g.id) ?? []
    const pieces = new PieceEncoder(plan)
    const snippets: Snippet[][] = g.utterances.map(() => [])
    for (const u of g.utterances) {
      for (const s of u.snippets) {
        const own = list.filter((c) => c.snippet.id === s.id)
        const samples = concatSamples(own.map((c) => c.samples))
        const audio = await pieces.encode(
          samples,
          own.some((c) => c.isLastOfGeneration),
        )
        snippets[u.index]!.push({
          audio: b64(audio),
          generation_id: g.id,
          id: s.id,
          text: s.text,
          timestamps: own.flatMap((c) => c.timestamps),
          utterance_index: u.index,
        })
      }
    }
    const all = concatSamples(list.map((c) => c.samples))
    const file = await encodeFile(plan.format, plan.sampleRate, all)
    generations.push({
      audio: b64(file),
      duration: Math.round((all.length / plan.sampleRate) * 1e5) / 1e5,
      encoding: { format: plan.format, sample_rate: plan.sampleRate },
      file_size: file.length,
      generation_id: g.id,
      snippets,
    })
  }
  return { generations, request_id: requestId }
}

/** POST /v0/tts/stream/json and the WebSocket: one audio message per chunk, then its timestamps. */
export async function* streamTtsOutput(
  plan: Plan,
  chunks: AsyncIterable<RenderedChunk>,
  requestId: string,
): AsyncGenerator<TtsOutput> {
  const encoders = new Map<string, PieceEncoder>()
  for await (const c of chunks) {
    let enc = encoders.get(c.generation.id)
    if (!enc) encoders.set(c.generation.id, (enc = new PieceEncoder(plan)))
    const audio = await enc.encode(c.samples, c.isLastOfGeneration)
    yield {
      type: 'audio',
      audio: b64(audio),
      audio_format: plan.format,
      chunk_index: c.chunkIndex,
      generation_id: c.generation.id,
      is_last_chunk: c.isLastChunk,
      request_id: requestId,
      snippet_id: c.snippet.id,
      text: c.snippet.text,
      utterance_index: c.utterance.index,
    }
    for (const timestamp of c.timestamps) {
      yield {
        type: 'timestamp',
        generation_id: c.generation.id,
        request_id: requestId,
        snippet_id: c.snippet.id,
        timestamp,
      }
    }
  }
}

/**
 * POST /v0/tts/stream/file: the response is one file, so it is one continuous encoding across
 * all chunks and generations (a WAV header with "unknown length" sizes, then PCM).
 */
export async function* streamFile(plan: Plan, chunks: AsyncIterable<RenderedChunk>): AsyncGenerator<Uint8Array> {
  const enc = await createStreamEncoder(plan.format, plan.sampleRate)
  for await (const c of chunks) {
    const bytes = enc.push(c.samples)
    if (bytes.length > 0) yield bytes
  }
  const tail = enc.end()
  if (tail.length > 0) yield tail
}

/** POST /v0/tts/file: all generations, back to back, as one file with exact sizes. */
export async function collectFile(plan: Plan, chunks: AsyncIterable<RenderedChunk>): Promise<Uint8Array> {
  const parts: Float32Array[] = []
  for await (const c of chunks) parts.push(c.samples)
  return encodeFile(plan.format, plan.sampleRate, concatSamples(parts))
}
