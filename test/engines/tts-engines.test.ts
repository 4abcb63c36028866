// One conformance suite for every speech engine (flite, and the real Kokoro code path on a
// generated ONNX model with Kokoro's interface), then Kokoro specifics the synthetic model lets
// us check exactly: the token ids, the style row and the speed the engine feeds the model.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chooseEngine, createEngine } from '../../src/domains/tts/engines/engine-select.js'
import type { PcmChunk, SynthesisInput, TtsEngine, VoiceSpec } from '../../src/domains/tts/engines/engine.js'
import { FliteEngine } from '../../src/domains/tts/engines/flite-engine.js'
import { KokoroEngine } from '../../src/domains/tts/engines/kokoro-engine.js'
import { wordTokens } from '../../src/domains/tts/engines/text.js'
import { decodeRun, SAMPLES_PER_TOKEN, writeSyntheticKokoro } from '../helpers/kokoro-synthetic.js'
import { tempDir } from '../helpers/temp.js'

const VOICE: VoiceSpec = { v: 1, flite: 'slt', kokoro: [{ id: 'af_heart', weight: 1 }], pitch: 0, rate: 1, energy: 1 }
const TWO_SENTENCES = 'Hello there, my good friend. How are you doing on this fine morning?'

// Taken before anything loads the phonemizer (whose bundle installs handlers on import).
const handlerCounts = () => [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]
const handlersAtStart = handlerCounts()

const modelsDir = tempDir('prosodia-kokoro-')
const modelPath = writeSyntheticKokoro(modelsDir)

async function collect(
  engine: TtsEngine,
  input: Partial<SynthesisInput> & { text: string },
  signal?: AbortSignal,
): Promise<PcmChunk[]> {
  const out: PcmChunk[] = []
  for await (const c of engine.synthesize({ voice: VOICE, speed: 1, words: true, ...input }, signal)) out.push(c)
  return out
}

const open = (prefer: 'flite' | 'kokoro') => createEngine(chooseEngine({ modelsDir, prefer }))
const ENGINES: [string, () => Promise<TtsEngine>][] = [
  ['flite', () => open('flite')],
  ['kokoro (synthetic model)', () => open('kokoro')],
]

describe.each(ENGINES)('engine conformance: %s', (_name, open) => {
  let engine: TtsEngine
  beforeAll(async () => {
    engine = await open()
  })

  it('streams clause chunks of PCM in [-1, 1], flagging only the final one as last', async () => {
    const chunks = await collect(engine, { text: TWO_SENTENCES })
    expect(chunks.length).toBeGreaterThanOrEqual(2)
    for (const c of chunks) {
      expect(c.samples).toBeInstanceOf(Float32Array)
      expect(c.samples.length).toBeGreaterThan(0)
      expect(c.samples.every((x) => x >= -1 && x <= 1)).toBe(true)
      expect(c.samples.some((x) => x !== 0)).toBe(true)
    }
    expect(chunks.map((c) => c.last)).toEqual(chunks.map((_, i) => i === chunks.length - 1))
    expect(wordTokens(chunks.map((c) => c.text).join(' '))).toEqual(wordTokens(TWO_SENTENCES))
  })

  it('gives monotonic word boundaries inside each chunk, one per word, within the audio', async () => {
    for (const c of await collect(engine, { text: TWO_SENTENCES })) {
      const durationMs = (c.samples.length / engine.sampleRate) * 1000
      expect(c.words.map((w) => w.text)).toEqual(wordTokens(c.text))
      for (const [i, w] of c.words.entries()) {
        expect(w.endMs).toBeGreaterThanOrEqual(w.beginMs)
        expect(w.endMs).toBeLessThanOrEqual(durationMs + 1)
        if (i > 0) expect(w.beginMs).toBeGreaterThanOrEqual(c.words[i - 1]!.endMs - 1)
      }
      expect(c.phones.length).toBeGreaterThan(0)
    }
  })

  it('skips word boundaries when not asked for them', async () => {
    const chunks = await collect(engine, { text: 'Just one short sentence here.', words: false })
    // flite skips its lexical pass; Kokoro's estimate is free, so either answer is allowed.
    if (engine.name === 'flite') expect(chunks.every((c) => c.words.length === 0)).toBe(true)
    expect(chunks.length).toBeGreaterThan(0)
  })

  it('stops at the next chunk once the signal aborts, throwing its reason', async () => {
    const ac = new AbortController()
    const reason = new Error('client went away')
    const seen: PcmChunk[] = []
    const run = (async () => {
      for await (const c of engine.synthesize(
        { text: `${TWO_SENTENCES} ${TWO_SENTENCES}`, voice: VOICE, speed: 1, words: false },
        ac.signal,
      )) {
        seen.push(c)
        ac.abort(reason)
      }
    })()
    await expect(run).rejects.toBe(reason)
    expect(seen).toHaveLength(1)
  })

  it('produces nothing for an already aborted signal', async () => {
    const ac = new AbortController()
    ac.abort(new Error('gone'))
    await expect(collect(engine, { text: TWO_SENTENCES }, ac.signal)).rejects.toThrow('gone')
  })

  it('speaks faster at a higher speed', async () => {
    const length = async (speed: number) =>
      (await collect(engine, { text: 'The quick brown fox jumps over the lazy dog.', speed })).reduce(
        (n, c) => n + c.samples.length,
        0,
      )
    expect(await length(2)).toBeLessThan((await length(1)) * 0.7)
  })
})

describe('flite quick start', () => {
  const SENTENCE = 'The quick brown fox jumps over the lazy dog, then naps in the warm afternoon sun.'

  it('renders the first four words alone, with no pause where the halves meet', async () => {
    const engine = await open('flite')
    const plain = await collect(engine, { text: SENTENCE })
    const quick = await collect(engine, { text: SENTENCE, quickStart: true })
    expect(quick.map((c) => c.text)).toEqual([
      'The quick brown fox',
      'jumps over the lazy dog,',
      ...plain.slice(1).map((c) => c.text),
    ])
    const [head, tail] = quick as [PcmChunk, PcmChunk]
    const headMs = (head.samples.length / engine.sampleRate) * 1000
    // flite's utterance-final and -initial pauses (100+ ms each) are cut down to 15 ms.
    expect(headMs - head.words.at(-1)!.endMs).toBeLessThanOrEqual(20)
    expect(tail.words[0]!.beginMs).toBeLessThanOrEqual(20)
    expect(tail.phones[0]!.beginMs).toBeGreaterThanOrEqual(0)
    const total = (cs: PcmChunk[]) => cs.reduce((n, c) => n + c.samples.length, 0) / engine.sampleRate
    expect(Math.abs(total(quick) - total(plain))).toBeLessThan(0.5)
  })

  it('leaves short first clauses whole', async () => {
    const engine = await open('flite')
    const chunks = await collect(engine, { text: 'Hello there, my good friend.', quickStart: true })
    expect(chunks.map((c) => c.text)).toEqual(['Hello there,', 'my good friend.'])
  })
})

/** Kokoro style rows read straight from kokoro-js's voices/<id>.bin (510 x 256 float32). */
function styleRow(id: string, row: number): Float32Array {
  const require = createRequire(import.meta.url)
  const buf = readFileSync(join(dirname(require.resolve('kokoro-js')), '..', 'voices', `${id}.bin`))
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
  return all.subarray(row * 256, row * 256 + 256)
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0)

describe('kokoro on a synthetic model', () => {
  let engine: KokoroEngine
  beforeAll(async () => {
    engine = new KokoroEngine(modelPath)
    await engine.load()
  })
  afterAll(() => engine.close())

  it('feeds espeak phonemes as Kokoro vocabulary ids between two pads', async () => {
    const [chunk] = await collect(engine, { text: 'Hello world.' })
    // h ə l ˈ o ʊ ␠ w ˈ ɜ ː l d .  (Kokoro-82M config.json vocab)
    expect(decodeRun(chunk!.samples).ids).toEqual([0, 50, 83, 54, 156, 57, 135, 16, 65, 156, 87, 158, 54, 46, 4, 0])
  })

  it('picks the style row by token count and blends voices by weight', async () => {
    const blend: VoiceSpec = {
      ...VOICE,
      kokoro: [
        { id: 'af_heart', weight: 3 },
        { id: 'am_adam', weight: 1 },
      ],
    }
    const [chunk] = await collect(engine, { text: 'Hello world.', voice: blend })
    const run = decodeRun(chunk!.samples)
    const tokens = run.ids.length - 2
    const expected = styleRow('af_heart', tokens).map((x, i) => 0.75 * x + 0.25 * styleRow('am_adam', tokens)[i]!)
    expect(maxDiff(run.style, expected)).toBeLessThan(1e-5)
    // Neighbouring rows differ, so an off-by-one (e.g. counting the pads) would be caught.
    const offByOne = styleRow('af_heart', tokens + 2).map(
      (x, i) => 0.75 * x + 0.25 * styleRow('am_adam', tokens + 2)[i]!,
    )
    expect(maxDiff(run.style, offByOne)).toBeGreaterThan(1e-3)
  })

  it('passes voice rate x request speed as the model speed, and pitch through speed + resampling', async () => {
    const [fast] = await collect(engine, { text: 'Hello world.', voice: { ...VOICE, rate: 1.25 }, speed: 1.6 })
    const run = decodeRun(fast!.samples)
    expect(run.speed).toBeCloseTo(2, 5)
    expect(run.bodyLength).toBe(run.ids.length * Math.floor(SAMPLES_PER_TOKEN / 2))
    const [plain] = await collect(engine, { text: 'Hello world.' })
    const [high] = await collect(engine, { text: 'Hello world.', voice: { ...VOICE, pitch: 12 } })
    // An octave up: the model renders at double speed (half the samples), resampling doubles it back.
    expect(Math.abs(high!.samples.length - plain!.samples.length)).toBeLessThan(plain!.samples.length * 0.05)
  })

  it('splits long input into clause chunks, one model run each', async () => {
    const text = 'First clause here, second clause there; and then a full stop. A new sentence begins!'
    const chunks = await collect(engine, { text })
    expect(chunks.map((c) => c.text)).toEqual([
      'First clause here,',
      'second clause there;',
      'and then a full stop.',
      'A new sentence begins!',
    ])
    for (const c of chunks) {
      const run = decodeRun(c.samples)
      expect(run.ids[0]).toBe(0)
      expect(run.ids.at(-1)).toBe(0)
      expect(run.bodyLength).toBe(run.ids.length * SAMPLES_PER_TOKEN)
    }
  })

  it('leaves no process-wide handlers behind after loading the phonemizer', async () => {
    await collect(engine, { text: 'The phonemizer is loaded by now.' })
    expect(handlerCounts()).toEqual(handlersAtStart)
  })

  it('refuses a model without Kokoro inputs', async () => {
    const bad = writeSyntheticKokoro(tempDir('prosodia-not-kokoro-'), { styleInput: 'ref_s' })
    await expect(new KokoroEngine(bad).load()).rejects.toThrow('is not a Kokoro model: no input "style"')
  })
})

describe('engine selection', () => {
  it('picks Kokoro when the weights are present and flite otherwise', async () => {
    expect(chooseEngine({ modelsDir })).toEqual({ name: 'kokoro', modelPath })
    const empty = tempDir('prosodia-empty-')
    expect(chooseEngine({ modelsDir: empty })).toEqual({ name: 'flite' })
    expect(() => chooseEngine({ modelsDir: empty, prefer: 'kokoro' })).toThrow(/models pull kokoro/)
    expect(await open('flite')).toBeInstanceOf(FliteEngine)
  })
})
