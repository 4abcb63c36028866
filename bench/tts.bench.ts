/**
 * TTS latency and throughput (issue 3): each engine called directly, beside the same text through
 * the real app's POST /v0/tts/stream/file (pcm), in the same process and run. The ratio
 * server/direct is the cost of our request path (auth, validation, voice resolution, storing the
 * generation, encoding, HTTP) over the engine alone.
 *
 *   npx tsx bench/tts.bench.ts          # or `npm run bench` for every benchmark
 *   BENCH_RUNS=5 npx tsx bench/tts.bench.ts   # fewer repetitions for a quick look
 */
import { Worker } from 'node:worker_threads'
import { pino } from 'pino'
import { appDeps, buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { createEngine } from '../src/domains/tts/engines/engine-select.js'
import type { TtsEngine, VoiceSpec } from '../src/domains/tts/engines/engine.js'
import { kokoroModelPath } from '../src/domains/tts/engines/kokoro-engine.js'
import { createRuntime } from '../src/runtime.js'
import { PRESET_VOICES } from '../src/domains/tts/voice-presets.js'
import { writeSection } from './lib/report.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 20)
const SENTENCE = 'The quick brown fox jumps over the lazy dog, then naps in the warm afternoon sun.'
const PARAGRAPH = [
  'Beauty is no quality in things themselves: it exists merely in the mind which contemplates them,',
  'and each mind perceives a different beauty. One person may even perceive deformity, where another',
  'is sensible of beauty; and every individual ought to acquiesce in his own sentiment, without',
  'pretending to regulate those of others. To seek the real beauty, or real deformity, is as fruitless',
  'an enquiry, as to pretend to ascertain the real sweet or real bitter.',
].join(' ')
const PRESET = PRESET_VOICES.find((v) => v.name === 'Kora')!

interface Sample {
  firstMs: number
  totalMs: number
  audioS: number
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const fmt = (x: number, d = 1) => x.toFixed(d)

async function direct(engine: TtsEngine, text: string, voice: VoiceSpec): Promise<Sample> {
  const t0 = performance.now()
  let first = 0
  let samples = 0
  // quickStart as the server's instant mode uses it (a voice, one generation), so both time the same work.
  for await (const c of engine.synthesize({ text, voice, speed: 1, words: false, quickStart: true })) {
    first ||= performance.now() - t0
    samples += c.samples.length
  }
  return { firstMs: first, totalMs: performance.now() - t0, audioS: samples / engine.sampleRate }
}

// The HTTP client runs in a worker thread: in this thread its socket reads would wait for the
// server's synchronous flite runs, and the first byte would be timed after the next chunk.
const CLIENT = `
const { parentPort } = require('node:worker_threads')
const { request } = require('node:http')
parentPort.on('message', ({ id, host, port, apiKey, body }) => {
  const t0 = performance.now()
  let first = 0
  let bytes = 0
  const req = request({ host, port, path: '/v0/tts/stream/file', method: 'POST', headers: { 'x-hume-api-key': apiKey, 'content-type': 'application/json' } }, (res) => {
    res.on('data', (c) => { first ||= performance.now() - t0; bytes += c.length })
    res.on('end', () => parentPort.postMessage({ id, status: res.statusCode, firstMs: first, totalMs: performance.now() - t0, bytes }))
  })
  req.on('error', (e) => parentPort.postMessage({ id, error: String(e) }))
  req.end(body)
})`
const client = new Worker(CLIENT, { eval: true })
client.unref()
let nextId = 0
const pending = new Map<
  number,
  (m: { status?: number; firstMs: number; totalMs: number; bytes: number; error?: string }) => void
>()
client.on('message', (m: { id: number }) => {
  pending.get(m.id)?.(m as never)
  pending.delete(m.id)
})

function viaServer(base: URL, apiKey: string, text: string, sampleRate: number): Promise<Sample> {
  const id = nextId++
  const body = JSON.stringify({
    utterances: [{ text, voice: { name: PRESET.name, provider: 'HUME_AI' } }],
    format: { type: 'pcm' },
  })
  return new Promise((resolve, reject) => {
    pending.set(id, (m) => {
      if (m.error || m.status !== 200) reject(new Error(m.error ?? `status ${m.status}`))
      else resolve({ firstMs: m.firstMs, totalMs: m.totalMs, audioS: m.bytes / 2 / sampleRate })
    })
    client.postMessage({ id, host: base.hostname, port: Number(base.port), apiKey, body })
  })
}

async function series(n: number, run: () => Promise<Sample>): Promise<Sample[]> {
  await run() // warm-up
  const out: Sample[] = []
  for (let i = 0; i < n; i++) out.push(await run())
  return out
}

async function concurrent(run: () => Promise<Sample>): Promise<{ wallS: number; audioS: number }> {
  const t0 = performance.now()
  const all = await Promise.all([run(), run(), run(), run()])
  return { wallS: (performance.now() - t0) / 1000, audioS: all.reduce((n, s) => n + s.audioS, 0) }
}

async function benchEngine(engine: TtsEngine, base: URL, apiKey: string): Promise<string[]> {
  const rows: string[] = []
  let sentenceRatio = NaN
  let sentenceServerP50 = NaN
  for (const [label, text, n] of [
    ['one sentence', SENTENCE, RUNS],
    ['one paragraph', PARAGRAPH, Math.max(3, Math.floor(RUNS / 4))],
  ] as const) {
    const d = await series(n, () => direct(engine, text, PRESET.spec))
    const s = await series(n, () => viaServer(base, apiKey, text, engine.sampleRate))
    const rtf = (xs: Sample[]) => p50(xs.map((x) => x.totalMs / 1000 / x.audioS))
    const ratio = p50(s.map((x) => x.totalMs)) / p50(d.map((x) => x.totalMs))
    if (label === 'one sentence') {
      sentenceRatio = ratio
      sentenceServerP50 = p50(s.map((x) => x.firstMs))
    }
    rows.push(
      `| ${engine.name} | ${label} (${n} runs) | ${fmt(p50(d.map((x) => x.firstMs)))} | ${fmt(p50(s.map((x) => x.firstMs)))} | ${fmt(rtf(d), 3)} | ${fmt(rtf(s), 3)} | ${fmt(ratio, 2)} |`,
    )
  }
  const cd = await concurrent(() => direct(engine, PARAGRAPH, PRESET.spec))
  const cs = await concurrent(() => viaServer(base, apiKey, PARAGRAPH, engine.sampleRate))
  rows.push(
    `| ${engine.name} | 4 concurrent paragraphs | — | — | ${fmt(cd.wallS / cd.audioS, 3)} | ${fmt(cs.wallS / cs.audioS, 3)} | ${fmt(cs.wallS / cd.wallS, 2)} |`,
  )
  rows.push(
    `<!-- ${engine.name}: sentence first byte p50 via server ${fmt(sentenceServerP50)} ms; total-time ratio ${fmt(sentenceRatio, 2)} -->`,
  )
  return rows
}

async function main(): Promise<void> {
  const config = loadConfig({
    PROSODIA_DATA_DIR: '/tmp/prosodia-bench',
    PROSODIA_MODELS_DIR: process.env.PROSODIA_MODELS_DIR ?? '/tmp/prosodia-bench/models',
  })
  // Threads started and engines loaded, as `npm start` has them before its first request.
  const rt = await createRuntime(config, { log: pino({ level: 'silent' }), engine: { name: 'flite' }, warm: ['tts'] })
  await rt.warmed
  const account = await rt.accounts.create('bench')
  const app = await buildApp({ ...appDeps(rt, ['tts']), logger: false })
  const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }))
  const header = [
    '| Engine | Request | Direct first chunk p50 (ms) | Server first byte p50 (ms) | Direct RTF p50 | Server RTF p50 | Server/direct time |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ]
  const rows = await benchEngine(await createEngine({ name: 'flite' }), base, account.api_key)
  const kokoro = kokoroModelPath(config.modelsDir)
  const notes = [
    'RTF = synthesis wall time / audio duration (lower is faster). "Server" is POST /v0/tts/stream/file',
    `(pcm, HUME_AI preset "${PRESET.name}") over HTTP on 127.0.0.1; "direct" is the engine's synthesize() in the`,
    "bench's main thread, while the server renders in its TTS worker threads (one per core, warmed as",
    '`npm start` warms them). The 4-concurrent row gives wall time / total audio for four paragraphs at once',
    '(direct: interleaved on one thread; server: spread over its threads), and the ratio of the two wall times.',
    'Both render the first four words of a long first clause as a chunk of their own (`quickStart`, what',
    'instant mode does). Short requests vary by tens of per cent between runs on this shared machine; the',
    'runtime benchmark below compares the server with the engine on equal threads for a 1,500-character text.',
    '',
    kokoro
      ? 'Kokoro rows use the model in PROSODIA_MODELS_DIR (the server itself picks Kokoro when present).'
      : 'Kokoro: not measured — no weights in PROSODIA_MODELS_DIR on this machine (offline; `npx prosodia models pull kokoro` needs the network).',
  ]
  await app.close()
  await rt.close()
  // Its message port would otherwise keep the process alive after the report is written.
  await client.terminate()
  writeSection({
    section: 'TTS',
    command: 'npx tsx bench/tts.bench.ts (or npm run bench)',
    body: [...header, ...rows, '', ...notes].join('\n'),
  })
}

await main()
