/**
 * Expression Measurement benchmark: language-model throughput, one-text job
 * latency (submit -> COMPLETED), and 1,000 small jobs end to end, on the real
 * app (SQLite file, DB queue, worker threads as in production).
 * Run: npx tsx bench/expression.bench.ts
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { appDeps, buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { predictText } from '../src/domains/expression/batch.predict.js'
import { loadLanguageModel } from '../src/domains/expression/language/model-path.js'
import { createRuntime } from '../src/runtime.js'
import { REPO_ROOT, writeSection } from './lib/report.js'

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 })

function texts(): string[] {
  const file = path.resolve(REPO_ROOT, '../shared/data/goemotions/original/test.tsv')
  if (!fs.existsSync(file)) throw new Error(`GoEmotions test split not found at ${file}`)
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0] ?? '')
}

function modelThroughput(sample: string[]) {
  const model = loadLanguageModel()
  for (const t of sample.slice(0, 200)) model.predict(t) // warm-up
  let t0 = performance.now()
  for (const t of sample) model.predict(t)
  const classify = sample.length / ((performance.now() - t0) / 1000)
  const sub = sample.slice(0, 1000)
  t0 = performance.now()
  for (const t of sub) predictText(model, t, { language: { granularity: 'word' }, ner: {} })
  const full = sub.length / ((performance.now() - t0) / 1000)
  t0 = performance.now()
  for (const t of sub) predictText(model, t, { language: { granularity: 'sentence' } })
  const sentence = sub.length / ((performance.now() - t0) / 1000)
  return { classify, full, sentence }
}

async function main() {
  const sample = texts()
  const m = modelThroughput(sample)
  console.log('model', m)

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-bench-expr-'))
  const config = loadConfig({ PROSODIA_DATA_DIR: dir, LOG_LEVEL: 'error' })
  const rt = await createRuntime(config, { log: pino({ level: 'silent' }), worker: { pollMs: 50 } })
  const account = await rt.accounts.create('bench')
  const app = await buildApp({ ...appDeps(rt, ['expression']), logger: false })
  await app.ready()
  rt.startWorkers()
  const headers = { 'x-hume-api-key': account.api_key }
  const submit = async (text: string) =>
    (await app.inject({ method: 'POST', url: '/v0/batch/jobs', payload: { text: [text] }, headers })).json()
      .job_id as string
  const status = async (id: string) =>
    (await app.inject({ method: 'GET', url: `/v0/batch/jobs/${id}`, headers })).json().state.status as string

  try {
    // Warm the worker threads (they load tsx and the model on first use).
    const warm = await submit('warm up')
    while ((await status(warm)) !== 'COMPLETED') await new Promise((r) => setTimeout(r, 20))

    const latencies: number[] = []
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now()
      const id = await submit(sample[i] ?? 'hello')
      while ((await status(id)) !== 'COMPLETED') await new Promise((r) => setTimeout(r, 2))
      latencies.push(performance.now() - t0)
    }
    console.log('latency p50/p95', pct(latencies, 50), pct(latencies, 95))

    const N = 1000
    const t0 = performance.now()
    const ids: string[] = []
    for (let i = 0; i < N; i += 50) ids.push(...(await Promise.all(sample.slice(i, i + 50).map(submit))))
    const submitted = performance.now() - t0
    let pending = [...ids]
    while (pending.length > 0) {
      const states = await Promise.all(pending.map(async (id) => [id, await status(id)] as const))
      pending = states.filter(([, s]) => s !== 'COMPLETED' && s !== 'FAILED').map(([id]) => id)
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 100))
    }
    const total = performance.now() - t0
    const failed = (await Promise.all(ids.map(status))).filter((s) => s === 'FAILED').length
    console.log('1000 jobs', total, 'failed', failed)

    const body = [
      `Language model alone (in one thread, ${fmt(sample.length)} GoEmotions test texts, mean ${fmt(
        sample.reduce((n, t) => n + t.length, 0) / sample.length,
      )} characters):`,
      '',
      '| What | Texts per second |',
      '| --- | ---: |',
      `| classifier (\`model.predict\`, one text -> 28 probabilities) | ${fmt(m.classify)} |`,
      `| sentence granularity (wink-nlp sentence split + classifier per sentence) | ${fmt(m.sentence)} |`,
      `| default job work: word granularity (one classification per word) + NER | ${fmt(m.full)} |`,
      '',
      `Jobs through the real app (\`buildApp\`, SQLite file in WAL mode, DB queue, ${os.availableParallelism()} inference`,
      'worker threads, requests via `inject()` so no network stack is measured):',
      '',
      '| What | Result |',
      '| --- | ---: |',
      `| one-text job, submit -> COMPLETED (50 sequential jobs; polling every 2 ms), p50 | ${fmt(pct(latencies, 50))} ms |`,
      `| same, p95 | ${fmt(pct(latencies, 95))} ms |`,
      `| 1,000 one-text jobs end to end (submitted 50 at a time, then polled) | ${fmt(total / 1000)} s (${fmt(
        (N / total) * 1000,
      )} jobs/s; submitting took ${fmt(submitted / 1000)} s; ${failed} failed) |`,
      '',
      'Notes: the texts are short Reddit comments; word granularity costs one classification per word,',
      'so its rate falls with text length. The machine is shared with other agents, so absolute',
      'figures move between runs.',
    ].join('\n')
    writeSection({ section: 'Expression Measurement', command: 'npx tsx bench/expression.bench.ts', body })
  } finally {
    await app.close()
    await rt.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
