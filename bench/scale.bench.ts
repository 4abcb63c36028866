/**
 * Scale-out (issue 12): batch throughput with 1 and 2 `npm run worker` processes on the SQL queue
 * (PostgreSQL) and on BullMQ (Redis), and API throughput with 1 and 2 `npm run api` processes on one
 * PostgreSQL database. Every process is a real entry point started as a child process.
 *
 *   npm run bench -- scale                      # or: npx tsx bench/scale.bench.ts
 *   BENCH_SCALE_JOBS=500 npx tsx bench/scale.bench.ts   # a quick look (default 10,000 jobs per run)
 *   BENCH_DURATION=5 BENCH_SCALE_API_ROUNDS=1 ...       # a shorter API part (defaults 10 s, 3 rounds)
 *
 * Needs PostgreSQL (PROSODIA_TEST_PG_URL, default postgres://postgres:postgres@127.0.0.1:5432/postgres)
 * and /usr/bin/redis-server. Each run gets a fresh database, data directory and redis-server. Before
 * each run it waits (up to 10 min) for the 1-minute load average to fall to 1.5: this machine is
 * shared. Everything is bounded (a drain that stalls for 2 min fails) and the script exits by itself.
 */
import os from 'node:os'
import { writeSection } from './lib/report.js'
import { API_CONNECTIONS, apiRun, type ApiMeasurement, type ApiRun } from './lib/scale-api.js'
import { batchRun, fmt, pct, QUEUE_LABEL, SUBMIT_CONCURRENCY, workerRatio, type BatchRun } from './lib/scale-batch.js'
import { fmtLoad, QUIET_LOAD as QUIET } from './lib/scale-env.js'

const JOBS = Number(process.env.BENCH_SCALE_JOBS ?? 10_000)
const API_DURATION = Number(process.env.BENCH_DURATION ?? 10)
const API_WARMUP = Number(process.env.BENCH_WARMUP ?? 2)
const API_ROUNDS = Number(process.env.BENCH_SCALE_API_ROUNDS ?? 3)
if (!Number.isInteger(JOBS) || JOBS < 1) throw new Error(`BENCH_SCALE_JOBS must be a positive integer, got ${JOBS}`)

function batchRow(r: BatchRun): string {
  const cores = r.workerCpuS / r.drainS
  return [
    QUEUE_LABEL[r.queue],
    String(r.workers),
    fmtLoad(r.before),
    `${fmt(r.submitPerS)} (${fmt(r.submitS, 1)} s)`,
    r.startupS.map((s) => fmt(s, 1)).join(', '),
    fmt(r.drainS, 1),
    `**${fmt(r.jobsPerS, 1)}**`,
    fmt(r.jobsPerSWithStartup, 1),
    fmt(cores, 2),
    pct(r.machineBusyS / r.machineCapacityS),
  ].join(' | ')
}

function apiRow(m: ApiMeasurement): string {
  const each = (f: (c: ApiMeasurement['clients'][number]) => string) => m.clients.map(f).join(' + ')
  return [
    String(m.processes),
    `**${fmt(m.reqPerS)}**`,
    m.processes === 2 ? each((c) => fmt(c.reqPerS)) : '—',
    m.clients.map((c) => `${c.p50} / ${c.p99}`).join('; '),
    m.apiCores.map((c) => fmt(c, 2)).join(' + '),
    pct(m.machineBusy),
  ].join(' | ')
}

function body(runs: BatchRun[], api: ApiRun, wallS: number): string {
  const sqlRatio = workerRatio(runs, 'sql')
  const bullRatio = workerRatio(runs, 'bullmq')
  const apiRatio = api.two.reqPerS / api.one.reqPerS
  const oneWorker = runs.filter((r) => r.workers === 1)
  const workerCores = (r: BatchRun) => r.workerCpuS / r.drainS
  const busy = (r: BatchRun) => r.machineBusyS / r.machineCapacityS
  return [
    ...(JOBS === 10_000
      ? []
      : [
          `**A shortened run: ${fmt(JOBS)} jobs per batch run (BENCH_SCALE_JOBS), not the default 10,000.** Start-up`,
          'and the last jobs weigh more in a short run; rerun with the default for the figures this section is for.',
          '',
        ]),
    `### Batch jobs: 1 vs 2 worker processes`,
    '',
    `${fmt(JOBS)} one-sentence text jobs per run (\`{"text": [sentence]}\`, the default models: language at word`,
    'granularity and NER; sentences built from four word lists, all distinct), POSTed to one `npm run api` process',
    `with ${SUBMIT_CONCURRENCY} requests in flight; only then are the \`npm run worker\` processes started, and the`,
    'drain is timed from the first worker\'s "queue worker started" line until every job is COMPLETED (any',
    'FAILED job fails the benchmark). Completion is counted in PostgreSQL (`count(*)` of `batch_jobs` by status',
    'every 250 ms), not through the API, so the poll neither loads the API process nor goes through its page limits.',
    `Each worker process runs \`PROSODIA_EXPRESSION_THREADS=1\` (one inference thread; the machine has`,
    `os.availableParallelism() = ${os.availableParallelism()}) and the default job concurrency (2 per process).`,
    'Every run has a fresh PostgreSQL database, a fresh `PROSODIA_DATA_DIR` shared by all its processes (blobs on',
    'local disk: S3/s3rver was **not** used) and, for BullMQ, a redis-server of its own (no persistence). The API',
    'logs at `warn`; workers at `info` (one line per job), which is what their readiness line needs.',
    '',
    '| Queue | Workers | Load avg before (1 / 5 / 15 min) | Submitted jobs/s (time) | Worker start-up (s) | Drain (s) | Jobs/s | Jobs/s incl. start-up | Worker CPU (cores) | Machine busy |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map((r) => `| ${batchRow(r)} |`),
    '',
    `Scaling, 2 workers / 1 worker: **${fmt(sqlRatio, 2)}×** on the SQL queue, **${fmt(bullRatio, 2)}×** on BullMQ.`,
    ...runs
      .filter((r) => r.before.load[0] > QUIET)
      .map(
        (r) =>
          `**Caution:** ${QUEUE_LABEL[r.queue]} × ${r.workers} started at a 1-minute load average of ${fmt(r.before.load[0], 2)}` +
          ' (the 10-minute wait for ≤ 1.5 ran out): other work took much of the CPU, so its figures, and the ratio',
      )
      .map((line) => `${line} it is part of, say more about the machine's other load than about scaling.`),
    '"Worker CPU" is the worker processes\' user + system CPU time over the drain (all their threads), in cores;',
    '"machine busy" is the share of both cores busy over the drain (everything: PostgreSQL, Redis, the idle API,',
    "this benchmark, and other agents' jobs on this shared machine).",
    '',
    `### API: 1 vs 2 \`npm run api\` processes`,
    '',
    `GET ${api.path} of a completed job: one indexed read of \`batch_jobs\` in PostgreSQL per request (the API`,
    'key is looked up once and cached per process) and the serialised job. Both processes run on one fresh',
    'database, each with its own pool of up to 10 connections; in the 1-process rows the second process is up',
    `but idle. ${API_CONNECTIONS} connections in all:`,
    `one autocannon client with ${API_CONNECTIONS} against one process, or two clients with ${API_CONNECTIONS / 2} each at`,
    `once, one per process, their req/s **summed**. Each client runs in a worker thread of this process;`,
    `${API_DURATION} s per measurement after ${API_WARMUP} s of warm-up, ${api.rounds} rounds alternating 1 and 2`,
    `processes; the median round is shown. Load average before: ${fmtLoad(api.before)}.`,
    '',
    '| API processes | req/s | per process | p50 / p99 ms (per client) | API CPU (cores) | Machine busy |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${apiRow(api.one)} |`,
    `| ${apiRow(api.two)} |`,
    '',
    `Scaling, 2 processes / 1 process: **${fmt(apiRatio, 2)}×** (every round: 1 process ${api.oneAll
      .map((x) => fmt(x))
      .join(', ')} req/s; 2 processes ${api.twoAll.map((x) => fmt(x)).join(', ')} req/s).`,
    '',
    '### What limits the scaling here',
    '',
    `This machine has ${os.availableParallelism()} cores, shared by the API, the workers, PostgreSQL, Redis, the`,
    "load generator and other agents' work. Scale-out adds processes, not cores, so a second process can only",
    'use what the first one left idle:',
    '',
    `- Batch: one worker process already kept ${oneWorker.map((r) => `${fmt(workerCores(r), 2)} cores busy on ${QUEUE_LABEL[r.queue]}`).join(' and ')}`,
    `  (its inference thread plus its event loop: queue claims, database writes, blob writes, logging), and the`,
    `  machine was ${oneWorker.map((r) => pct(busy(r))).join(' / ')} busy overall with PostgreSQL${runs.some((r) => r.queue === 'bullmq') ? ' and Redis' : ''} on the rest.`,
    '  A second worker competes for the same two cores, so its gain is bounded by the idle share of the first',
    '  run. What a second machine adds cannot be measured on one machine; that the queue spreads jobs over',
    '  workers (each job once) is what test/e2e/cluster.test.ts checks.',
    '  A ratio below 1 means the second process cost more than it added: its event loop, queue claims and lease',
    '  renewals (on the SQL queue, more polling queries for PostgreSQL, which shares the cores) take CPU from inference.',
    `- API: one process is one event loop (${fmt(api.one.apiCores[0] ?? 0, 2)} cores here, with its client, PostgreSQL`,
    `  and the client's own thread taking most of the rest: ${pct(api.one.machineBusy)} machine busy). Two processes`,
    `  share the same two cores (${pct(api.two.machineBusy)} busy), so the sum mostly re-divides the same CPU.`,
    '- The figures move by tens of per cent between runs on this shared machine: compare rows of one run.',
    '',
    `Whole benchmark: ${fmt(wallS / 60, 1)} min wall time (including waits for a quiet machine).`,
  ].join('\n')
}

async function main(): Promise<void> {
  const t0 = performance.now()
  const runs: BatchRun[] = []
  for (const queue of ['sql', 'bullmq'] as const) {
    for (const workers of [1, 2]) runs.push(await batchRun(queue, workers, JOBS))
  }
  const api = await apiRun(API_DURATION, API_WARMUP, API_ROUNDS)
  const wallS = (performance.now() - t0) / 1000
  writeSection({
    section: 'Scale-out',
    command: `${JOBS === 10_000 ? '' : `BENCH_SCALE_JOBS=${JOBS} `}npm run bench -- scale`,
    body: body(runs, api, wallS),
  })
}

await main()
