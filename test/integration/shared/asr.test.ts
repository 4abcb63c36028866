/**
 * Speech recognisers end to end: Debian's pocketsphinx on the RAVDESS sentences, and the
 * OpenAI-compatible provider against a local HTTP server that checks the multipart request.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeAudio } from '../../../src/domains/expression/media/decode-audio.js'
import { AsrError, type Transcript } from '../../../src/shared/asr/asr.js'
import { createAsrProvider } from '../../../src/shared/asr/index.js'
import { OpenAiAsrProvider } from '../../../src/shared/asr/openai.js'
import { PocketsphinxProvider, pocketsphinxAvailable } from '../../../src/shared/asr/pocketsphinx.js'
import { sharedPath } from '../../helpers/shared-data.js'

const STATEMENTS: Record<string, string[]> = {
  '01': ['kids', 'are', 'talking', 'by', 'the', 'door'],
  '02': ['dogs', 'are', 'sitting', 'by', 'the', 'door'],
}

async function asrError(p: Promise<unknown>): Promise<AsrError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(AsrError)
    return err as AsrError
  }
  throw new Error('expected an AsrError, but the call succeeded')
}

/** Share of the reference words the transcript contains (each hypothesis word used once). */
function wordRecall(reference: string[], t: Transcript): number {
  const hyp = t.words.map((w) => w.text.toLowerCase())
  let hit = 0
  for (const w of reference) {
    const i = hyp.indexOf(w)
    if (i !== -1) {
      hit++
      hyp.splice(i, 1)
    }
  }
  return hit / reference.length
}

describe('pocketsphinx', () => {
  const dir = sharedPath('data', 'ravdess-samples')
  const files = readdirSync(dir).filter((f) => f.endsWith('.wav'))

  beforeAll(async () => {
    if (!(await pocketsphinxAvailable())) {
      throw new Error('these tests need pocketsphinx (Debian: apt install pocketsphinx pocketsphinx-en-us)')
    }
  })

  it('transcribes the RAVDESS sentences with ordered, in-range word times', { timeout: 300_000 }, async () => {
    expect(files.length).toBe(8)
    const asr = new PocketsphinxProvider()
    const recalls: number[] = []
    for (const f of files) {
      const { pcm, seconds } = await decodeAudio(readFileSync(join(dir, f)), { maxSeconds: 60 })
      const t = await asr.transcribe(pcm, { language: 'en-US' })
      const reference = STATEMENTS[f.split('-')[4]!]!
      recalls.push(wordRecall(reference, t))
      expect(t.language).toBe('en')
      expect(t.text).toBe(t.words.map((w) => w.text).join(' '))
      let last = 0
      for (const w of t.words) {
        expect(w.text).not.toMatch(/^<|^\[|\(\d+\)$/)
        expect(w.begin).toBeGreaterThanOrEqual(last)
        expect(w.end).toBeGreaterThanOrEqual(w.begin)
        expect(w.end).toBeLessThanOrEqual(seconds + 0.05)
        expect(w.confidence).toBeGreaterThanOrEqual(0)
        expect(w.confidence).toBeLessThanOrEqual(1)
        expect(w.speaker).toBeNull()
        last = w.end
      }
    }
    // "Most files" (more than half) get half of their statement's words or more. Measured on
    // Debian 12's pocketsphinx 0.8: 6 of 8 files, 33 of 48 words (0.69) overall.
    const detail = `word recall per file: ${recalls.join(', ')}`
    expect(recalls.filter((r) => r >= 0.5).length, detail).toBeGreaterThanOrEqual(5)
    expect(recalls.reduce((a, b) => a + b, 0) / recalls.length, detail).toBeGreaterThanOrEqual(0.6)
  })

  it('refuses other languages and honours abort', async () => {
    const asr = new PocketsphinxProvider()
    const pcm = new Float32Array(16_000)
    expect((await asrError(asr.transcribe(pcm, { language: 'de' }))).reason).toBe('language')
    const ac = new AbortController()
    const running = asr.transcribe(pcm, { signal: ac.signal })
    ac.abort()
    expect((await asrError(running)).reason).toBe('aborted')
  })

  it('gives an empty transcript for silence', async () => {
    const t = await new PocketsphinxProvider().transcribe(new Float32Array(32_000), {})
    expect(t.words).toEqual([])
    expect(t.text).toBe('')
  })

  it('is what auto picks when installed, and a missing install is named', async () => {
    expect((await createAsrProvider({ provider: 'auto' }))?.name).toBe('pocketsphinx')
    expect(await createAsrProvider({ provider: 'none' })).toBeNull()
    const missing = { bin: '/nonexistent/pocketsphinx_continuous' }
    expect(await createAsrProvider({ provider: 'auto', pocketsphinx: missing })).toBeNull()
    const err = await asrError(createAsrProvider({ provider: 'pocketsphinx', pocketsphinx: missing }))
    expect(err.message).toMatch(/apt install pocketsphinx pocketsphinx-en-us/)
  })
})

interface Seen {
  auth: string | undefined
  fields: Record<string, string[]>
  file?: { filename: string; type: string; bytes: Buffer }
}

/** A minimal multipart/form-data reader: enough to check what the provider sends. */
function parseMultipart(req: IncomingMessage, body: Buffer): Seen {
  const boundary = /boundary=(.+)$/.exec(req.headers['content-type'] ?? '')?.[1]
  if (!boundary) throw new Error('no multipart boundary')
  const seen: Seen = { auth: req.headers.authorization, fields: {} }
  const delim = Buffer.from(`--${boundary}`)
  let at = body.indexOf(delim)
  while (at !== -1) {
    const next = body.indexOf(delim, at + delim.length)
    if (next === -1) break
    const part = body.subarray(at + delim.length + 2, next - 2)
    const split = part.indexOf('\r\n\r\n')
    const headers = part.subarray(0, split).toString('latin1')
    const content = part.subarray(split + 4)
    const name = /name="([^"]+)"/.exec(headers)![1]!
    const filename = /filename="([^"]+)"/.exec(headers)?.[1]
    if (filename) {
      seen.file = { filename, type: /Content-Type: (\S+)/i.exec(headers)?.[1] ?? '', bytes: content }
    } else {
      ;(seen.fields[name] ??= []).push(content.toString('utf8'))
    }
    at = next
  }
  return seen
}

describe('OpenAI-compatible provider', () => {
  let server: Server
  let base: string
  let mode = 'ok'
  const requests: Seen[] = []

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions') {
          res.writeHead(404).end()
          return
        }
        const seen = parseMultipart(req, Buffer.concat(chunks))
        requests.push(seen)
        const json = (status: number, body: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
        if (mode === '500') return json(500, { error: { message: 'model overloaded' } })
        if (mode === 'garbage') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>')
        if (mode === 'shape') return json(200, { transcript: 'no text field' })
        if (mode === 'huge') return json(200, { text: 'x'.repeat(200_000), words: [] })
        if (mode === 'segments') {
          return json(200, {
            text: 'Kids are talking',
            language: 'english',
            segments: [{ start: 0.5, end: 1.5, text: ' Kids are talking' }],
          })
        }
        json(200, {
          task: 'transcribe',
          language: 'english',
          duration: 2,
          text: 'Kids are talking by the door.',
          words: [
            { word: 'Kids', start: 0.9, end: 1.3 },
            { word: 'are', start: 1.3, end: 1.4 },
            { word: 'talking', start: 1.4, end: 1.9, probability: 0.93 },
            { word: 'by', start: 1.9, end: 2.0 },
            { word: 'the', start: 2.0, end: 2.1 },
            { word: 'door', start: 2.1, end: 2.6 },
          ],
        })
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const provider = (extra: Partial<ConstructorParameters<typeof OpenAiAsrProvider>[0]> = {}) =>
    new OpenAiAsrProvider({ url: base, apiKey: 'sk-test', model: 'whisper-large', allowList: ['127.0.0.1'], ...extra })

  it('sends a multipart WAV upload and reads word times', async () => {
    mode = 'ok'
    requests.length = 0
    const pcm = new Float32Array(16_000).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16_000))
    const t = await provider().transcribe(pcm, { language: 'en' })
    const seen = requests[0]!
    expect(seen.auth).toBe('Bearer sk-test')
    expect(seen.fields).toEqual({
      model: ['whisper-large'],
      response_format: ['verbose_json'],
      'timestamp_granularities[]': ['word', 'segment'],
      language: ['en'],
    })
    expect(seen.file?.filename).toBe('audio.wav')
    expect(seen.file?.type).toBe('audio/wav')
    const wav = seen.file!.bytes
    expect(wav.toString('latin1', 0, 4)).toBe('RIFF')
    expect(wav.readUInt32LE(24)).toBe(16_000)
    expect(wav.length).toBe(44 + 2 * pcm.length)
    expect(wav.readInt16LE(44 + 2 * 9)).toBe(Math.round(pcm[9]! * 0x7fff))

    expect(t.language).toBe('en')
    expect(t.text).toBe('Kids are talking by the door.')
    expect(t.words.map((w) => w.text)).toEqual(['Kids', 'are', 'talking', 'by', 'the', 'door'])
    expect(t.words[2]).toEqual({ text: 'talking', begin: 1.4, end: 1.9, confidence: 0.93, speaker: null })
    expect(t.words[0]!.confidence).toBeNull()
  })

  it('spreads segments into words when the server gives no word times', async () => {
    mode = 'segments'
    const t = await provider({ url: `${base}/v1/` }).transcribe(new Float32Array(1600), {})
    expect(t.words.map((w) => w.text)).toEqual(['Kids', 'are', 'talking'])
    expect(t.words[0]!.begin).toBe(0.5)
    expect(t.words[2]!.end).toBeCloseTo(1.5, 9)
    expect(t.words[1]!.begin).toBeCloseTo(t.words[0]!.end, 9)
  })

  it('refuses a private address that is not allow-listed, before sending anything', async () => {
    mode = 'ok'
    requests.length = 0
    const err = await asrError(provider({ allowList: [] }).transcribe(new Float32Array(1600), {}))
    expect(err.message).toMatch(/non-public address/)
    expect(requests).toEqual([])
    const viaFactory = await createAsrProvider({ provider: 'openai', url: base })
    expect((await asrError(viaFactory!.transcribe(new Float32Array(1600), {}))).reason).toBe('upstream')
    expect(requests).toEqual([])
  })

  it('turns a 500, garbage, a wrong shape or an oversized answer into a clear error', async () => {
    mode = '500'
    const e500 = await asrError(provider().transcribe(new Float32Array(1600), {}))
    expect(e500.reason).toBe('upstream')
    expect(e500.message).toBe('transcription server answered HTTP 500: model overloaded')
    mode = 'garbage'
    expect((await asrError(provider().transcribe(new Float32Array(1600), {}))).message).toMatch(/not JSON/)
    mode = 'shape'
    expect((await asrError(provider().transcribe(new Float32Array(1600), {}))).reason).toBe('bad_response')
    mode = 'huge'
    const big = await asrError(provider({ maxResponseBytes: 100_000 }).transcribe(new Float32Array(1600), {}))
    expect(big.reason).toBe('bad_response')
    expect(big.message).toMatch(/100000 byte limit/)
  })
})
