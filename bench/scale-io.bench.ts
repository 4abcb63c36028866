/**
 * Scale-out, I/O-bound (issue 12): batch jobs whose input is a URL on a slow server, drained by 1 and
 * 2 `npm run worker` processes on the SQL queue and on BullMQ. Where scale.bench.ts measures jobs that
 * are all CPU (and so re-divide one machine's cores), each job here mostly waits for its download, as
 * jobs over media URLs do; a worker process holds a bounded number of jobs at once (the job
 * concurrency), so a second process adds capacity even on this machine.
 *
 *   npm run bench -- scale-io                       # or: npx tsx bench/scale-io.bench.ts
 *   BENCH_SCALE_IO_JOBS=200 npx tsx bench/scale-io.bench.ts   # a quick look (default 1,000 jobs per run)
 *
 * Same needs and hygiene as scale.bench.ts (PostgreSQL, redis-server, a fresh stack per run, a wait
 * for a quiet machine before each run). The slow server runs in this process: it answers each
 * document after BENCH_SCALE_IO_DELAY_MS (default 200 ms), a timer, not CPU.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import { writeSection } from './lib/report.js'
import { batchRun, fmt, pct, QUEUE_LABEL, SUBMIT_CONCURRENCY, workerRatio, type BatchRun } from './lib/scale-batch.js'
import { fmtLoad, sentence } from './lib/scale-env.js'

const JOBS = Number(process.env.BENCH_SCALE_IO_JOBS ?? 1_000)
const DELAY_MS = Number(process.env.BENCH_SCALE_IO_DELAY_MS ?? 200)
/** runtime.ts: a worker process runs max(2, 2 × inference threads) jobs at once; the runs use 1 thread. */
const JOBS_PER_WORKER = 2
if (!Number.isInteger(JOBS) || JOBS < 1) throw new Error(`BENCH_SCALE_IO_JOBS must be a positive integer, got ${JOBS}`)

/** Serves /doc/<i>.txt (sentence i) after DELAY_MS; counts what it served. */
async function slowServer() {
  let served = 0
  const server = http.createServer((req, res) => {
    const m = /^\/doc\/(\d+)\.txt$/.exec(req.url ?? '')
    if (!m) return res.writeHead(404).end()
    setTimeout(() => {
      served++
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(sentence(Number(m[1])))
    }, DELAY_MS)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: (i: number) => `http://127.0.0.1:${port}/doc/${i}.txt`,
    served: () => served,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

function row(r: BatchRun): string {
  const ceiling = (r.workers * JOBS_PER_WORKER * 1000) / DELAY_MS
  return [
    QUEUE_LABEL[r.queue],
    String(r.workers),
    fmtLoad(r.before),
    fmt(r.drainS, 1),
    `**${fmt(r.jobsPerS, 1)}**`,
    fmt(ceiling, 1),
    fmt(r.workerCpuS / r.drainS, 2),
    pct(r.machineBusyS / r.machineCapacityS),
  ].join(' | ')
}

function body(runs: BatchRun[], wallS: number): string {
  return [
    `${fmt(JOBS)} jobs per run, each \`{"urls": [".../doc/<i>.txt"]}\`: one short text document on a server in the`,
    `benchmark process that answers after ${DELAY_MS} ms (a timer; PROSODIA_FETCH_ALLOW=127.0.0.1 lets the workers reach`,
    `it). The worker downloads it through the SSRF guard, analyses it (language at word granularity and NER) and`,
    `stores the predictions. The jobs are POSTed to one \`npm run api\` process (${SUBMIT_CONCURRENCY} in flight), then the`,
    '`npm run worker` processes are started and the drain is timed as in the CPU-bound section above (first worker',
    'ready to last COMPLETED, counted in PostgreSQL). Each worker runs `PROSODIA_EXPRESSION_THREADS=1` and the default',
    `job concurrency (${JOBS_PER_WORKER} per process), so one process holds at most ${JOBS_PER_WORKER} downloads at once:`,
    `"ceiling" is workers × ${JOBS_PER_WORKER} / ${DELAY_MS} ms, what the waiting alone allows.`,
    `Machine: os.availableParallelism() = ${os.availableParallelism()}.`,
    '',
    '| Queue | Workers | Load avg before (1 / 5 / 15 min) | Drain (s) | Jobs/s | Ceiling jobs/s | Worker CPU (cores) | Machine busy |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map((r) => `| ${row(r)} |`),
    '',
    `Scaling, 2 workers / 1 worker: **${fmt(workerRatio(runs, 'sql'), 2)}×** on the SQL queue, **${fmt(workerRatio(runs, 'bullmq'), 2)}×** on BullMQ.`,
    '',
    'Here the workers wait rather than compute (see "Worker CPU"), so a second process doubles the jobs in',
    'flight and the throughput follows, on the same two cores that the CPU-bound runs above could not stretch.',
    'Raising the job concurrency of one process would do the same for pure waiting; separate processes also',
    'add event loops, inference threads and fault isolation, and on separate machines add cores.',
    '',
    `Whole benchmark: ${fmt(wallS / 60, 1)} min wall time (including waits for a quiet machine).`,
  ].join('\n')
}

async function main(): Promise<void> {
  const t0 = performance.now()
  const server = await slowServer()
  const runs: BatchRun[] = []
  try {
    for (const queue of ['sql', 'bullmq'] as const) {
      for (const workers of [1, 2]) {
        const before = server.served()
        runs.push(
          await batchRun(queue, workers, JOBS, {
            jobBody: (i) => ({ urls: [server.url(i)] }),
            env: { PROSODIA_FETCH_ALLOW: '127.0.0.1' },
          }),
        )
        // Every job really downloaded its document (a job that skipped the wait would flatter the figures).
        if (server.served() - before < JOBS)
          throw new Error(`only ${server.served() - before} of ${JOBS} documents served`)
      }
    }
  } finally {
    await server.close()
  }
  writeSection({
    section: 'Scale-out: I/O-bound jobs',
    command: `${JOBS === 1_000 ? '' : `BENCH_SCALE_IO_JOBS=${JOBS} `}npm run bench -- scale-io`,
    body: body(runs, (performance.now() - t0) / 1000),
  })
}

await main()
